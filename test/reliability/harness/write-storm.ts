// Concurrent creates, updates, uploads and deletes, each remembered with what the server answered, so that after a
// crash the survivors can be checked against every acknowledgement. Each worker owns its avatars and acts on one
// at a time, so the order of the operations on an avatar is known.
import { createHash } from 'node:crypto';

export type Outcome = 'acked' | 'rejected' | 'unknown';

export interface AvatarOp {
  kind: 'update' | 'upload' | 'delete';
  outcome: Outcome;
  /** The name an update set, or the SHA-256 (hex) of the file an upload sent. */
  value?: string;
}

export interface AvatarHistory {
  id: string;
  /** The name and source key it was created with. */
  initialName: string;
  ops: AvatarOp[];
}

export interface StormLedger {
  avatars: AvatarHistory[];
  counts: {
    creates: number;
    updates: number;
    uploads: number;
    deletes: number;
    unknown: number;
    refused: number;
    rejected: number;
    other: number;
  };
  /** Answers that were 5xx other than 503 (a 503 while the server restarts is fine only from a proxy; here none is expected). */
  serverErrors: string[];
}

export interface StormOptions {
  url: string;
  key: string;
  workers: number;
  /** Avatars each worker keeps alive at most. */
  avatarsPerWorker: number;
  /** Source files uploaded in turn (VRM models); repeating one exercises identical-content uploads. */
  uploads: Buffer[];
  tier?: string;
}

export interface Storm {
  ledger: StormLedger;
  /** Stops the workers after their current request; resolves when they have. */
  stop(): Promise<void>;
}

type Attempt = { status: number; body: any } | 'refused' | 'unknown';

async function attempt(url: string, init: RequestInit): Promise<Attempt> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    return { status: response.status, body };
  } catch (error) {
    // Refused: the server was down and never saw it. Anything else (reset mid-request): it may or may not have.
    const code = (error as { cause?: { code?: string } }).cause?.code;
    return code === 'ECONNREFUSED' ? 'refused' : 'unknown';
  }
}

export function startWriteStorm(options: StormOptions): Storm {
  const ledger: StormLedger = {
    avatars: [],
    counts: { creates: 0, updates: 0, uploads: 0, deletes: 0, unknown: 0, refused: 0, rejected: 0, other: 0 },
    serverErrors: [],
  };
  const headers = { 'x-api-key': options.key };
  let running = true;
  let upload = 0;

  const classify = (what: string, answer: Attempt): Outcome | 'refused' => {
    if (answer === 'refused') {
      ledger.counts.refused++;
      return 'refused';
    }
    if (answer === 'unknown') {
      ledger.counts.unknown++;
      return 'unknown';
    }
    if (answer.status >= 200 && answer.status < 300) return 'acked';
    if (answer.status >= 500) ledger.serverErrors.push(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
    ledger.counts.rejected++;
    return 'rejected';
  };

  async function worker(w: number): Promise<void> {
    const mine: AvatarHistory[] = [];
    for (let n = 0; running; n++) {
      // A refused request changed nothing: back off a little while the server restarts.
      const pause = () => new Promise((r) => setTimeout(r, 50));
      if (mine.length < options.avatarsPerWorker || n % 17 === 0) {
        const name = `w${w}-c${n}`;
        const answer = await attempt(`${options.url}/api/v1/avatars`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ name, tier: options.tier ?? 'stylized_3d', description: name }),
        });
        const outcome = classify('create', answer);
        if (outcome === 'refused') await pause();
        if (outcome === 'acked' && typeof answer === 'object') {
          const history: AvatarHistory = { id: answer.body._id, initialName: name, ops: [] };
          mine.push(history);
          ledger.avatars.push(history);
          ledger.counts.creates++;
        }
        continue;
      }
      const history = mine[n % mine.length]!;
      const choice = n % 11;
      let op: AvatarOp | null = null;
      let answer: Attempt;
      if (choice === 10) {
        answer = await attempt(`${options.url}/api/v1/avatars/${history.id}`, { method: 'DELETE', headers });
        op = { kind: 'delete', outcome: 'unknown' };
      } else if (choice % 2 === 0) {
        const data = options.uploads[upload++ % options.uploads.length]!;
        answer = await attempt(`${options.url}/api/v1/avatars/${history.id}/source`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'model/gltf-binary' },
          body: data as unknown as BodyInit,
        });
        // Blob keys are content addressed: the file's SHA-256 names it, whether or not the answer came back.
        op = { kind: 'upload', outcome: 'unknown', value: createHash('sha256').update(data).digest('hex') };
        if (typeof answer === 'object' && answer.status === 200 && !String(answer.body.url).includes(op.value!)) {
          ledger.serverErrors.push(`upload to ${history.id} answered 200 with ${answer.body.url}, not the file's digest`);
        }
      } else {
        const name = `w${w}-u${n}`;
        answer = await attempt(`${options.url}/api/v1/avatars/${history.id}`, {
          method: 'PUT',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ name, description: name }),
        });
        op = { kind: 'update', outcome: 'unknown', value: name };
        if (typeof answer === 'object' && answer.status === 200 && answer.body.name !== name) {
          ledger.serverErrors.push(`update of ${history.id} answered 200 with name ${answer.body.name}, not ${name}`);
        }
      }
      const outcome = classify(op.kind, answer);
      if (outcome === 'refused') {
        await pause();
        continue;
      }
      op.outcome = outcome;
      history.ops.push(op);
      if (outcome === 'acked') ledger.counts[`${op.kind}s` as 'updates' | 'uploads' | 'deletes']++;
      // Once it is (or may be) deleted, the worker leaves it alone: its history ends here.
      if (op.kind === 'delete' && outcome !== 'rejected') mine.splice(mine.indexOf(history), 1);
    }
  }

  const done = Promise.all(Array.from({ length: options.workers }, (_, w) => worker(w)));
  return {
    ledger,
    async stop() {
      running = false;
      await done;
    },
  };
}
