import type { ReactNode } from 'react';

interface NoticeProps {
  tone: 'info' | 'warning' | 'success';
  title?: string;
  children: ReactNode;
}

export function Notice({ tone, title, children }: NoticeProps) {
  return (
    <div className={`banner banner-${tone}`}>
      <div className="banner-body">
        {title ? <p className="banner-title">{title}</p> : null}
        <div className="banner-message">{children}</div>
      </div>
    </div>
  );
}
