// Runs s3rver (a real S3 REST API server on the file system) in its own process, because its
// ListObjectsV2 continuation tokens use DES, which Node 20's OpenSSL 3 offers only with
// --openssl-legacy-provider. Usage: node --openssl-legacy-provider s3rver-process.mjs <dir> <bucket>
// Prints {"port":N} once listening on 127.0.0.1; exits when its parent goes (IPC disconnect) or on SIGTERM.
import S3rver from 's3rver';

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);

const stop = () => server.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('disconnect', stop);
