/* Synthesizes text with espeak-ng and writes the truth for the lip-sync tests:
 * raw PCM16 mono (little-endian, at espeak's own rate, 22050 Hz) to OUT_PCM, and one line per phoneme
 * event, "<mnemonic>\t<startSample>", to stdout, preceded by "rate\t<sampleRate>", and one "#word" line per word.
 * Usage: espeak-phonemes VOICE PITCH(0-99) RATE(wpm) OUT_PCM TEXT   (TEXT may hold [[phonemes]])
 * Build: gcc -O2 -o espeak-phonemes espeak-phonemes.c -lespeak-ng */
#include <espeak-ng/speak_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *pcm;
static long written; /* samples written so far */

static int on_synth(short *wav, int n, espeak_EVENT *ev) {
  if (wav && n > 0) {
    fwrite(wav, sizeof(short), (size_t)n, pcm);
    written += n;
  }
  for (; ev && ev->type != espeakEVENT_LIST_TERMINATED; ev++) {
    /* A word's start: "#word\t<startSample>\t<textPosition (1-based)>\t<length>" (a TTS's word timings). */
    if (ev->type == espeakEVENT_WORD) printf("#word\t%d\t%d\t%d\n", ev->sample, ev->text_position, ev->length);
    if (ev->type != espeakEVENT_PHONEME) continue;
    char name[9];
    memcpy(name, ev->id.string, 8);
    name[8] = 0;
    /* ev->sample is the absolute sample index at which the phoneme starts. */
    printf("%s\t%d\n", name, ev->sample);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s VOICE PITCH RATE OUT_PCM TEXT\n", argv[0]);
    return 2;
  }
  int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, espeakINITIALIZE_PHONEME_EVENTS);
  if (rate <= 0) {
    fprintf(stderr, "espeak_Initialize failed\n");
    return 1;
  }
  if (espeak_SetVoiceByName(argv[1]) != EE_OK) {
    fprintf(stderr, "unknown voice %s\n", argv[1]);
    return 1;
  }
  espeak_SetParameter(espeakPITCH, atoi(argv[2]), 0);
  espeak_SetParameter(espeakRATE, atoi(argv[3]), 0);
  pcm = fopen(argv[4], "wb");
  if (!pcm) {
    perror(argv[4]);
    return 1;
  }
  espeak_SetSynthCallback(on_synth);
  printf("rate\t%d\n", rate);
  const char *text = argv[5];
  if (espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8 | espeakPHONEMES, NULL, NULL) != EE_OK) {
    fprintf(stderr, "espeak_Synth failed\n");
    return 1;
  }
  espeak_Synchronize();
  fclose(pcm);
  fprintf(stderr, "samples\t%ld\n", written);
  espeak_Terminate();
  return 0;
}
