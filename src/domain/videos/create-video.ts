import { randomInt } from 'node:crypto';
import { type ExpressionRequest, parseExpression } from '../../../contract/expressions.ts';
import { parseResolution } from '../../../contract/render-config.ts';
import { VIDEO_SAMPLE_RATE } from '../../../contract/videos.ts';
import type { AvatarRecord } from '../../store/avatars.ts';
import type { VideoBackground, VideoJobRecord } from '../../store/videos.ts';
import { checkBackgroundImage } from '../../videos/check-background-image.ts';
import { decodeSpeech } from '../../videos/decode-speech.ts';
import { MediaRejected } from '../../videos/media-rejected.ts';
import type { SpeechSynthesizer } from '../../videos/speech-synthesizer.ts';
import { findVisibleAvatar } from '../avatar-access.ts';
import { type Ctx, requireScope } from '../context.ts';
import { wantsToRun } from '../deployments/deployment-lifecycle.ts';
import { type ErrorDetail, ERRORS } from '../errors.ts';
import { randomBase62 } from '../ids.ts';
import { owns } from '../tenant.ts';
import { videoBlobPrefix, videoObject } from './video-object.ts';

/** What a caller sends: an uploaded audio file or text to speak, and how the clip looks. */
export interface VideoInput {
  audio?: Buffer;
  text?: string;
  voice?: string;
  expression?: ExpressionRequest;
  /** `#rrggbb`. */
  background?: string;
  /** An uploaded image behind the avatar (multipart). */
  backgroundImage?: Buffer;
  transparent?: boolean;
}

export const newVideoId = () => `vid_${randomBase62(20)}`;

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

export const PORTRAIT_ALPHA_MESSAGE =
  'A transparent video is offered for stylized_3d avatars (VRM and orb) only: cutting a photo portrait out of its background needs a person-segmentation model, which does not ship here.';

const PORTRAIT_BACKGROUND_MESSAGE =
  'A background is offered for stylized_3d avatars (VRM and orb) only: a portrait video is the photo itself, edge to edge, with nothing behind it to show.';

/**
 * Creates a talking-video job (202): the speech is decoded (or spoken) now, so a bad upload is refused at once and the
 * job holds everything a replica needs to render it; the video runner renders it in the background. The request's
 * body is read by `readInput` once the caller is known to be allowed.
 */
export async function createVideo(ctx: Ctx, avatarId: string, readInput: () => Promise<VideoInput>, synthesizer: SpeechSynthesizer) {
  requireScope(ctx, 'avatars:write');
  const avatar = await findVisibleAvatar(ctx, avatarId);
  // Read only now: a caller without the scope, or who cannot see the avatar, never gets its upload read.
  const input = await readInput();
  const { config, store, blobs } = ctx.services;
  const limits = config.videos;
  const expression = checkInput(input, avatar, limits.maxTextChars);
  await checkAvatarRenders(ctx, avatar);
  if (input.voice !== undefined && !(await needing(synthesizer.name, () => synthesizer.voices())).includes(input.voice)) {
    throw ERRORS.validation([{ path: 'voice', message: `is not a voice of ${synthesizer.name}; see docs/videos.md for how to list them` }]);
  }

  let speech: Uint8Array;
  try {
    speech = input.audio
      ? await needing('ffmpeg', () => decodeSpeech(input.audio!, limits.maxSeconds))
      : await needing(synthesizer.name, () => synthesizer.synthesize(input.text!.trim(), input.voice ?? synthesizer.defaultVoice));
  } catch (error) {
    if (error instanceof MediaRejected) throw mediaError(input.audio ? 'audio' : 'text', error);
    throw error;
  }
  const durationSeconds = speech.length / 2 / VIDEO_SAMPLE_RATE;
  if (durationSeconds > limits.maxSeconds) {
    throw ERRORS.validation([
      { path: 'text', message: `is spoken for ${durationSeconds.toFixed(1)} s, longer than the ${limits.maxSeconds} s a video may have` },
    ]);
  }
  let image: { extension: string; contentType: string } | null = null;
  if (input.backgroundImage) {
    try {
      image = await needing('ffmpeg', () => checkBackgroundImage(input.backgroundImage!));
    } catch (error) {
      if (error instanceof MediaRejected) throw mediaError('backgroundImage', error);
      throw error;
    }
  }

  const id = newVideoId();
  const prefix = videoBlobPrefix(avatar.id, id);
  try {
    const speechBlob = await blobs.put(
      prefix,
      Buffer.from(speech.buffer, speech.byteOffset, speech.byteLength),
      'application/octet-stream',
      'pcm',
    );
    let background: VideoBackground | null = input.background ? { color: input.background.toLowerCase() } : null;
    if (input.backgroundImage && image) {
      background = { imageKey: (await blobs.put(prefix, input.backgroundImage, image.contentType, image.extension)).key };
    }
    const { width, height } = parseResolution(avatar.config.resolution);
    const now = new Date().toISOString();
    const job: VideoJobRecord = {
      id,
      avatarId: avatar.id,
      userId: ctx.actor.userId,
      organizationId: ctx.actor.organizationId,
      status: 'queued',
      progress: 0,
      source: input.audio ? 'audio' : 'text',
      speechKey: speechBlob.key,
      expression,
      background,
      transparent: input.transparent === true,
      seed: randomInt(0, 2 ** 32 - 1),
      durationSeconds,
      width,
      height,
      frameRate: avatar.config.frameRate,
      videoKey: null,
      transparentKey: null,
      error: null,
      attempts: 0,
      createdAt: now,
      updatedAt: now,
      completedAt: null,
    };
    await store.videos.insert(job);
    ctx.services.background.wake();
    return videoObject(job, blobs);
  } catch (error) {
    // Nothing left behind: the files of a job that was never recorded go with it.
    await blobs.deletePrefix(prefix).catch(() => {});
    throw error;
  }
}

/** The request's own rules (before anything is decoded); answers the expression checked. */
function checkInput(input: VideoInput, avatar: AvatarRecord, maxTextChars: number): ExpressionRequest | null {
  const problems: ErrorDetail[] = [];
  const hasText = input.text !== undefined;
  if (!input.audio && !hasText)
    problems.push({ path: 'audio', message: 'or "text" is required: upload the speech as "audio", or give "text" to speak' });
  if (input.audio && hasText) problems.push({ path: 'text', message: 'cannot go with an "audio" upload: send one or the other' });
  if (hasText) {
    const text = input.text!.trim();
    if (text.length === 0) problems.push({ path: 'text', message: 'is empty' });
    else if (text.length > maxTextChars)
      problems.push({ path: 'text', message: `is ${text.length} characters, more than the ${maxTextChars} allowed` });
  }
  if (input.voice !== undefined && !hasText) problems.push({ path: 'voice', message: 'goes only with "text"' });
  if (input.background !== undefined && !HEX_COLOR.test(input.background))
    problems.push({ path: 'background', message: 'must be a colour as #rrggbb' });
  if (input.background !== undefined && input.backgroundImage) {
    problems.push({ path: 'backgroundImage', message: 'cannot go with a "background" colour: send one or the other' });
  }
  let expression: ExpressionRequest | null = null;
  if (input.expression !== undefined) {
    try {
      expression = parseExpression(input.expression?.name, input.expression?.intensity);
    } catch (error) {
      problems.push({ path: 'expression', message: (error as Error).message.replace(/\.$/, '') });
    }
  }
  if (input.transparent && avatar.tier !== 'stylized_3d') problems.push({ path: 'transparent', message: PORTRAIT_ALPHA_MESSAGE });
  if ((input.background !== undefined || input.backgroundImage) && avatar.tier !== 'stylized_3d') {
    problems.push({ path: input.background !== undefined ? 'background' : 'backgroundImage', message: PORTRAIT_BACKGROUND_MESSAGE });
  }
  if (problems.length > 0) throw ERRORS.validation(problems);
  return expression;
}

/** The avatar can be rendered: a VRM has its model, a portrait is ready and deployed or deploys on demand. */
async function checkAvatarRenders(ctx: Ctx, avatar: AvatarRecord): Promise<void> {
  if (avatar.tier === 'stylized_3d') {
    if (avatar.renderStyle !== 'orb' && !avatar.sourceKey) {
      throw ERRORS.conflict('The avatar has no VRM model yet; upload one to POST /api/v1/avatars/:id/source first.');
    }
    return;
  }
  if (avatar.status === 'failed') {
    throw ERRORS.conflict(
      `The avatar's portrait failed preprocessing${avatar.error ? ` (${avatar.error.replace(/\.$/, '')})` : ''}; upload another photo first.`,
    );
  }
  if (avatar.status !== 'ready' || !avatar.artifact) {
    throw ERRORS.conflict(
      `The avatar cannot render a video while its status is ${avatar.status}; upload a portrait and wait until it is ready.`,
    );
  }
  // As a live session does: an on-demand avatar is deployed for its owner when the render starts.
  if (avatar.onDemand?.schedulingMode === 'on_demand' && owns(ctx.actor, avatar)) return;
  const deployment = await ctx.services.store.deployments.find(avatar.id);
  if (!deployment || !wantsToRun(deployment)) throw ERRORS.rendererUnavailable('The avatar is not deployed.');
}

function mediaError(path: string, error: MediaRejected) {
  return error.kind === 'too-long'
    ? ERRORS.validation([{ path, message: error.message.replace(/^The speech /, 'is ').replace(/\.$/, '') }])
    : ERRORS.invalidSource(error.message);
}

/** Runs a step that starts a program; a program that is not installed is the server's 503, not an internal error. */
async function needing<T>(program: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw ERRORS.programMissing((error as { path?: string }).path ?? program);
    throw error;
  }
}
