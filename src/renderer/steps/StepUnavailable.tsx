import { stepTitles, type StepId } from '../../shared/steps';
import { Button } from '../components/Button';
import { Notice } from '../components/Notice';
import { useWizard } from '../store/wizard';

interface StepUnavailableProps {
  step: StepId;
  state: 'locked' | 'unavailable';
  reason: string | undefined;
}

// What a step that cannot be used shows instead of a panel: the reason main gives, and a way back.
export function StepUnavailable({ step, state, reason }: StepUnavailableProps) {
  const current = useWizard((s) => s.status?.current);
  const view = useWizard((s) => s.view);
  return (
    <div className="step-body" data-testid="step-unavailable">
      <Notice
        tone={state === 'locked' ? 'info' : 'warning'}
        title={state === 'locked' ? 'Locked' : 'Not yet available'}
      >
        {reason ??
          (state === 'locked'
            ? `${stepTitles[step]} opens once the steps before it are done.`
            : `${stepTitles[step]} is not available in this version of the assistant.`)}
      </Notice>
      {current && current !== step ? (
        <div className="actions">
          <Button variant="primary" onClick={() => view(current)}>
            Go to {stepTitles[current]}
          </Button>
        </div>
      ) : null}
    </div>
  );
}
