// Owner of the dead_letter_actions table and of what operators do with dead letters: list, show,
// replay (job revived, message re-published once) and discard, each recorded with who did it.
export {
  type ActionOptions,
  type DeadLetterDeps,
  discardDeadLetter,
  type ReplayPlan,
  recentActions,
  replayDeadLetter,
  replayMsgId,
} from './actions';
export { DeadLetterError, type DeadLetterErrorCode } from './errors';
export { REPLAYABLE_SUBJECTS } from './revive';
