import type { UiError } from '../api';

interface ErrorBannerProps {
  error: UiError | null;
  onDismiss?: () => void;
}

// An error as main worded it, with its hint; role="alert" so it is read out when it appears.
export function ErrorBanner({ error, onDismiss }: ErrorBannerProps) {
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert" data-error-code={error.code}>
      <div className="banner-body">
        <p className="banner-message">{error.message}</p>
        {error.hint ? <p className="banner-hint">{error.hint}</p> : null}
      </div>
      {onDismiss ? (
        <button type="button" className="banner-dismiss" onClick={onDismiss} aria-label="Dismiss error">
          ×
        </button>
      ) : null}
    </div>
  );
}
