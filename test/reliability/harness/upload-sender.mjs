// The upload flood's senders, in a process of their own: sending 8 x 15 MB from the process that times the light
// requests would stall its own event loop and count the sender's pauses as the API's.
// Protocol (IPC): receives { url, file, uploads: [{ key, id }] }, answers 'ready'; on 'go' sends every upload at
// once and answers { statuses } when all have answered.
import { readFileSync } from 'node:fs';

process.once('message', (job) => {
  const body = new Uint8Array(readFileSync(job.file));
  process.send('ready');
  process.once('message', async () => {
    const statuses = {};
    await Promise.all(
      job.uploads.map(async ({ key, id }) => {
        const response = await fetch(`${job.url}/api/v1/avatars/${id}/source`, {
          method: 'POST',
          headers: { 'x-api-key': key, 'content-type': 'model/gltf-binary' },
          body,
        });
        await response.arrayBuffer();
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      }),
    );
    process.send({ statuses });
    process.disconnect();
  });
});
