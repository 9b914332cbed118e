import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The project's root folder. */
export const ROOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** `../shared/fixtures` beside the repository: real VRM models and portraits nobody here made. */
export const FIXTURES_DIR = path.resolve(ROOT_DIR, '..', 'shared', 'fixtures');

export const VRM_FIXTURES = {
  v0: path.join(FIXTURES_DIR, 'vrm', 'EmissionMigration_v0.106.0.vrm'),
  mtoon: path.join(FIXTURES_DIR, 'vrm', 'VRMC_materials_mtoon_UV_Animation_Test.vrm'),
  overridden: path.join(FIXTURES_DIR, 'vrm', 'VRMC_vrm_expressions_isBinary_Overridden.vrm'),
  overrides: path.join(FIXTURES_DIR, 'vrm', 'VRMC_vrm_expressions_isBinary_Overrides.vrm'),
};

export const PORTRAIT_FIXTURES = {
  astronaut: path.join(FIXTURES_DIR, 'portraits', 'astronaut.png'),
  cat: path.join(FIXTURES_DIR, 'portraits', 'chelsea-cat.png'),
};

/** The humanoid bones VRM 1.0 requires (VRMC_vrm's humanoid spec), written from the spec, not from the code under test. */
export const VRM_REQUIRED_BONES = [
  'hips',
  'spine',
  'head',
  // Each side's arm and leg, upper to lower to hand or foot.
  ...['left', 'right'].flatMap((side) => ['UpperArm', 'LowerArm', 'Hand'].map((bone) => side + bone)),
  ...['left', 'right'].flatMap((side) => ['UpperLeg', 'LowerLeg', 'Foot'].map((bone) => side + bone)),
];
