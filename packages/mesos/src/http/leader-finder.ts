import { MesosRedirectLoopError } from '../errors';
import { leaderFromLocation } from './leader';
import type { MasterRequest, MasterResponse } from './master-request';
import type { RequestSender } from './request-sender';
import { AllMastersUnreachable, isConnectFailure } from './transport-errors';

/**
 * Gets a request to the leading master: only the leader answers calls, the others
 * redirect to it with 307, and a master that refuses connections is passed over for the
 * next. The leader found is remembered and asked first, so most calls take one hop.
 */
export class LeaderFinder {
  private leaderUrl: string | undefined;

  constructor(
    private readonly masters: string[],
    private readonly maxRedirects: number,
    private readonly sender: Pick<RequestSender, 'send' | 'networkError'>,
  ) {}

  /** Base URL of the master last known to lead. */
  get leader(): string | undefined {
    return this.leaderUrl;
  }

  /** A 503 says there is no leader yet: no master is asked ahead of the others until one leads. */
  forget(): void {
    this.leaderUrl = undefined;
  }

  /**
   * The answer of the first master that does not redirect; throws AllMastersUnreachable
   * when none accepted a connection, which is safe to try again as nothing was sent.
   */
  async post(req: MasterRequest, signal: AbortSignal | undefined): Promise<MasterResponse> {
    const tried: string[] = [];
    const causes: unknown[] = [];
    for (const candidate of this.candidates()) {
      const hops: string[] = [];
      let base = candidate;
      for (;;) {
        const url = `${base}${req.path}`;
        let response: MasterResponse;
        try {
          response = await this.sender.send(url, req, signal);
        } catch (error) {
          if (!isConnectFailure(error)) throw this.sender.networkError(url, error);
          tried.push(url);
          causes.push(error);
          if (this.leaderUrl === base) this.leaderUrl = undefined;
          break;
        }
        const location = response.headers.location;
        if (response.status === 307 && typeof location === 'string') {
          await response.body.dump();
          hops.push(url);
          if (hops.length > this.maxRedirects) throw new MesosRedirectLoopError(hops);
          base = leaderFromLocation(location, url, req.path);
          this.leaderUrl = base;
          continue;
        }
        if (response.status !== 503) this.leaderUrl = base;
        return response;
      }
    }
    throw new AllMastersUnreachable(tried, causes);
  }

  private candidates(): string[] {
    const leader = this.leaderUrl;
    return leader ? [leader, ...this.masters.filter((m) => m !== leader)] : [...this.masters];
  }
}
