/** The longest delay a Node timer holds; a longer one fires at once. */
const LONGEST_TIMER_MS = 2_147_483_647;

/**
 * Runs `fire` at `at`, however far off: a delay past what one timer holds is waited out
 * in several. Answers a function that cancels it.
 */
export function fireAt(at: Date, fire: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = at.getTime() - Date.now();
    timer =
      left > LONGEST_TIMER_MS
        ? setTimeout(arm, LONGEST_TIMER_MS)
        : setTimeout(fire, Math.max(0, left));
  };
  arm();
  return () => clearTimeout(timer);
}
