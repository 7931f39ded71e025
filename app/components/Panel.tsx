/** A titled card of the dashboard; `actions` sit at the right of the title row. */
import { useId, type ReactNode } from 'react';

/** Props of {@link Panel}. */
export interface PanelProps {
  title: string;
  /** Short explanation under the title. */
  subtitle?: ReactNode;
  actions?: ReactNode;
  className?: string;
  testId?: string;
  children: ReactNode;
}

/** A dashboard card (a labelled region for assistive technology). */
export function Panel({ title, subtitle, actions, className, testId, children }: PanelProps) {
  const id = useId();
  return (
    <section className={`panel${className ? ` ${className}` : ''}`} aria-labelledby={id} data-testid={testId}>
      <header className="panel-head">
        <div>
          <h2 id={id}>{title}</h2>
          {subtitle && <p className="panel-sub">{subtitle}</p>}
        </div>
        {actions && <div className="panel-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}
