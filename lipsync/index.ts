export {
  createVisemeAnalyzer,
  VISEMES,
  type Viseme,
  type VisemeFrame,
  type VisemeAnalyzer,
  type VisemeAnalyzerOptions,
  type VisemeSmoothing,
} from './viseme-analyzer.ts';
export { CONSONANTS, type Consonant } from './consonants.ts';
export { pcm16ToFloat32 } from './pcm16.ts';
