// The avatars a fuzz run aims at: one of each kind, owned by the fuzzing key, made through the API.
import type { FuzzTarget } from './openapi-fuzz.ts';

const KINDS = [
  { name: 'fuzz vrm', tier: 'stylized_3d' },
  { name: 'fuzz orb', tier: 'stylized_3d', renderStyle: 'orb' },
  { name: 'fuzz portrait', tier: 'animated_portrait' },
  { name: 'fuzz lipsync', tier: 'realtime_lipsync' },
];

export function fuzzTarget(url: string, key: string): FuzzTarget {
  return {
    url,
    key,
    async avatars() {
      const ids: string[] = [];
      for (const body of KINDS) {
        const response = await fetch(`${url}/api/v1/avatars`, {
          method: 'POST',
          headers: { 'x-api-key': key, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (response.status !== 201) throw new Error(`could not make a fuzz avatar: ${response.status} ${await response.text()}`);
        ids.push(((await response.json()) as { _id: string })._id);
      }
      return ids;
    },
  };
}
