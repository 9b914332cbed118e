/** The English sentences and voices the accuracy test and the benchmark speak (varied vowels, several voices). */
import type { SpeakOptions } from './espeak-truth.ts';

export const SENTENCES: readonly string[] = [
  'The quick brown fox jumps over the lazy dog, and maybe Bob met Pam at the bus stop.',
  'Father called; she sees three green trees. Go home, Joe, the road is slow.',
  'Who knew the blue moon would move so soon? I bought hot coffee on a long walk.',
  'We need a plan for the weekend: maybe a trip to the lake, or a movie at home.',
  'Please remember to water the flowers, feed the cat, and lock the back door.',
];

export const VOICES: ReadonlyArray<Omit<SpeakOptions, 'sampleRate'>> = [
  { voice: 'en-us', pitch: 35, rate: 160 },
  { voice: 'en', pitch: 55, rate: 150 },
  { voice: 'en+f3', pitch: 70, rate: 170 },
];

/**
 * Sentences and voices the sound classifier is fitted on (lipsync/truth/fit-sound-classifier.ts): none is tested or
 * held out, and no voice shares an accent (phoneme table) or a variant with the held-out ones but en-gb-scotland+f1.
 */
export const FIT_SENTENCES: readonly string[] = [
  'A large heart beats in the dark; calm palms wave far apart.',
  'Each eagle sees the sea; fifteen keen people eat cheese and beans.',
  'Ten red hens met a friend; the bed and the desk are heavy.',
  'Two cool fools flew through the school room, chewing blue gum.',
  'Old Joe sold his gold boat; no one knows the road home.',
  'All the tall walls fall; the law was thought to be wrong.',
  'Fish swim in this big river; it is a little bit thin.',
  'Good books could push a woman to look for the wool.',
  'Our house is down the town; I like my bike at night.',
  'Her first word was third; the early bird learns.',
  'The weather today is cloudy, but tomorrow should be sunny and warm again.',
  'Can you tell me how to get to the station from here, please?',
  'Seven brave knights rode through the misty valley at dawn.',
  'My cousin bought a purple shirt and a pair of boots.',
  'The children laughed as the puppy chased the ball across the yard.',
  'Put the butter and the bread on the table before breakfast.',
  'She thinks the theatre on the north side is worth a visit.',
  'A few of the leaves turned yellow, orange and brown in autumn.',
  'The pilot checked the weather before the plane took off.',
  'Fresh fish and chips taste best by the sea with vinegar.',
  'Mark parked his car by the barn and walked to the farm.',
  'I usually measure the sugar with a spoon, not a cup.',
  'The judge was pleased with the choice of the jury.',
  'Would you pass me the salt and the pepper, please?',
  'Both boys found a shiny coin beneath the oak tree.',
  'The nurse will check your pulse and your blood pressure.',
  'Smooth jazz played softly while the guests ate their soup.',
  'Lions and tigers prowl the jungle in the heat of the day.',
  'Thank you for thinking of me on my thirtieth birthday.',
  'The loyal boy enjoyed the noise of the toy train.',
  'Up on the hill, the wind blew hard against the mill.',
  'Amy baked apple pie and maple cake for the party.',
  'Paul saw a small hawk fall onto the straw in the hall.',
  'Sheep graze in the green field beside the deep stream.',
  'We took a few good photos of the moon through the telescope.',
  'Nobody knew whether the letter had arrived on Monday or Tuesday.',
];

export const FIT_VOICES: ReadonlyArray<Omit<SpeakOptions, 'sampleRate'>> = [
  { voice: 'en-us+m3', pitch: 45, rate: 165 },
  { voice: 'en-gb-x-rp+f2', pitch: 60, rate: 155 },
  { voice: 'en-us+f4', pitch: 75, rate: 160 },
  { voice: 'en+m1', pitch: 30, rate: 150 },
  { voice: 'en-us-nyc', pitch: 50, rate: 170 },
  { voice: 'en-gb-scotland+f1', pitch: 65, rate: 160 },
  { voice: 'en-gb-x-rp+m4', pitch: 40, rate: 160 },
  { voice: 'en-us+m7', pitch: 35, rate: 170 },
  { voice: 'en-gb-scotland+f4', pitch: 85, rate: 150 },
  { voice: 'en+f2', pitch: 70, rate: 165 },
  { voice: 'en-us-nyc+m5', pitch: 55, rate: 155 },
  { voice: 'en+m8', pitch: 45, rate: 160 },
  { voice: 'en-us+klatt', pitch: 50, rate: 160 },
  { voice: 'en-gb-x-rp+klatt3', pitch: 60, rate: 150 },
  { voice: 'en+f4', pitch: 80, rate: 175 },
  { voice: 'en-us+m1', pitch: 25, rate: 150 },
  { voice: 'en-gb-scotland+m3', pitch: 45, rate: 170 },
  { voice: 'en-us-nyc+f2', pitch: 75, rate: 160 },
];

/**
 * Held out: sentences and voices that neither the tests nor the fit use, and no threshold was chosen on; only
 * lipsync/truth/held-out.ts measures them. Rich in p, b and m.
 */
export const HELD_OUT_SENTENCES: readonly string[] = [
  'Every morning my mother brings me a warm cup of milk.',
  'Pack the umbrella; the map says a big storm will come by ten.',
  'Please keep the puppy in the back room while we paint the lamp.',
  'Bobby jumped from the bench and grabbed a ripe plum.',
  'Rebecca said the museum opens at five, but the shop is empty.',
  'We tried to sleep, but the baby kept humming a simple tune.',
  'Did you see the bed by the window? His bird sings in the morning.',
  'Tim picked up a pebble from the beach and put it in his pocket.',
];

export const HELD_OUT_VOICES: ReadonlyArray<Omit<SpeakOptions, 'sampleRate'>> = [
  { voice: 'en-029+m2', pitch: 40, rate: 155 },
  { voice: 'en-gb-x-gbclan+f5', pitch: 65, rate: 165 },
  { voice: 'en-us+m6', pitch: 50, rate: 175 },
  { voice: 'en-gb-x-gbcwmd+f1', pitch: 80, rate: 150 },
];

/** The corpora the scoring scripts take by name (`npx tsx lipsync/truth/held-out.ts tested`). */
export const CORPORA: Record<string, [readonly string[], ReadonlyArray<Omit<SpeakOptions, 'sampleRate'>>]> = {
  'held-out': [HELD_OUT_SENTENCES, HELD_OUT_VOICES],
  tested: [SENTENCES, VOICES],
  fit: [FIT_SENTENCES, FIT_VOICES],
};
