// After a crash and restart: every acknowledged write is there, and nothing is in a state no request could have left.
import type { AvatarHistory, AvatarOp, StormLedger } from './write-storm.ts';

/** The values a field may hold now: the last acknowledged one, or one sent after it whose answer was lost. */
function allowed(initial: string | null, ops: AvatarOp[], kind: AvatarOp['kind']): Set<string | null> {
  const relevant = ops.filter((op) => op.kind === kind && op.outcome !== 'rejected');
  let last = -1;
  relevant.forEach((op, i) => {
    if (op.outcome === 'acked') last = i;
  });
  const values = new Set<string | null>([last === -1 ? initial : relevant[last]!.value!]);
  for (const op of relevant.slice(last + 1)) values.add(op.value!);
  return values;
}

function checkOne(history: AvatarHistory, answer: { status: number; body: any }): string[] {
  const problems: string[] = [];
  const deletes = history.ops.filter((op) => op.kind === 'delete' && op.outcome !== 'rejected');
  const deleted = deletes.some((op) => op.outcome === 'acked');
  const maybeDeleted = deletes.length > 0;
  if (answer.status === 404) {
    if (!maybeDeleted) problems.push(`${history.id}: created (201) but gone after the restart`);
    return problems;
  }
  if (answer.status !== 200) return [`${history.id}: GET answered ${answer.status} ${JSON.stringify(answer.body)}`];
  if (deleted) problems.push(`${history.id}: deleted (200) but back after the restart`);
  const names = allowed(history.initialName, history.ops, 'update');
  if (!names.has(answer.body.name))
    problems.push(`${history.id}: name "${answer.body.name}", expected one of ${JSON.stringify([...names])}`);
  const url: string | null = answer.body.sourceModel ?? null;
  const digest = url ? (/([0-9a-f]{64})\.vrm$/.exec(url)?.[1] ?? url) : null;
  const digests = allowed(null, history.ops, 'upload');
  if (!digests.has(digest)) problems.push(`${history.id}: source ${digest}, expected one of ${JSON.stringify([...digests])}`);
  if (digest && answer.body.status !== 'ready') problems.push(`${history.id}: has a VRM but status ${answer.body.status}`);
  return problems;
}

/** Reads every avatar of the ledger through the API; answers one sentence per lost or impossible write. */
export async function verifyLedger(url: string, key: string, ledger: StormLedger): Promise<string[]> {
  const problems: string[] = [];
  const queue = [...ledger.avatars];
  const reader = async () => {
    for (let history = queue.pop(); history; history = queue.pop()) {
      const response = await fetch(`${url}/api/v1/avatars/${history.id}`, { headers: { 'x-api-key': key } });
      problems.push(...checkOne(history, { status: response.status, body: await response.json() }));
    }
  };
  await Promise.all(Array.from({ length: 4 }, reader));
  return problems;
}
