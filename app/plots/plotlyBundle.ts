/**
 * The plotly.js partial bundle: the core with only the trace types the page draws (scatter for
 * the curves, bar for the neuron norms), about a third of the full bundle.
 */
import Plotly from 'plotly.js/lib/core';
import bar from 'plotly.js/lib/bar';
import scatter from 'plotly.js/lib/scatter';

Plotly.register([scatter, bar]);

export default Plotly;
