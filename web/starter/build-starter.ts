/**
 * Builds the starter avatar, a VRM 1.0 humanoid made of simple shapes: a head with eyes on eye bones (blink, lookAt),
 * a mouth whose morph targets make aa ih ou ee oh, brows and mouth shapes for happy angry sad relaxed surprised, and a
 * body of capsules on every humanoid bone VRM 1.0 requires (plus chest, neck, eyes).
 *
 * Run: npx tsx web/starter/build-starter.ts  -> web/starter/starter.vrm (same bytes on every run)
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Document, NodeIO, type Material, type Node } from '@gltf-transform/core';
import { box, capsule, ellipsoid, merge, mouth, padTargets, rotateX, withTargets, type Shape, type Vec3 } from './starter-shapes.ts';
import { VrmcVrmExtension, type VrmExpression } from './vrmc-vrm-extension.ts';

export const STARTER_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'starter.vrm');

/** Bones: name, parent, position relative to the parent (metres; VRM 1.0 faces +Z, the avatar's left is +X). */
const BONES: Array<[string, string | null, Vec3]> = [
  ['hips', null, [0, 0.95, 0]],
  ['spine', 'hips', [0, 0.1, 0]],
  ['chest', 'spine', [0, 0.15, 0]],
  ['neck', 'chest', [0, 0.2, 0]],
  ['head', 'neck', [0, 0.08, 0]],
  ['leftEye', 'head', [0.04, 0.14, 0.07]],
  ['rightEye', 'head', [-0.04, 0.14, 0.07]],
  ['leftUpperArm', 'chest', [0.17, 0.16, 0]],
  ['leftLowerArm', 'leftUpperArm', [0.24, 0, 0]],
  ['leftHand', 'leftLowerArm', [0.22, 0, 0]],
  ['rightUpperArm', 'chest', [-0.17, 0.16, 0]],
  ['rightLowerArm', 'rightUpperArm', [-0.24, 0, 0]],
  ['rightHand', 'rightLowerArm', [-0.22, 0, 0]],
  ['leftUpperLeg', 'hips', [0.085, -0.05, 0]],
  ['leftLowerLeg', 'leftUpperLeg', [0, -0.4, 0]],
  ['leftFoot', 'leftLowerLeg', [0, -0.42, 0]],
  ['rightUpperLeg', 'hips', [-0.085, -0.05, 0]],
  ['rightLowerLeg', 'rightUpperLeg', [0, -0.4, 0]],
  ['rightFoot', 'rightLowerLeg', [0, -0.42, 0]],
];

const COLOURS = {
  skin: [0.95, 0.76, 0.63],
  shirt: [0.16, 0.5, 0.93],
  trousers: [0.2, 0.25, 0.33],
  shoes: [0.12, 0.1, 0.1],
  hair: [0.3, 0.17, 0.12],
  eye: [0.08, 0.07, 0.09],
  mouth: [0.55, 0.12, 0.16],
} as const;
type Colour = keyof typeof COLOURS;

// Head sphere in the head bone's frame.
const HEAD_CENTRE: Vec3 = [0, 0.12, 0];
const HEAD_RADIUS = 0.12;
const EYE_CENTRE: Vec3 = [0, 0, 0.042];
const FACE_TARGETS = ['aa', 'ih', 'ou', 'ee', 'oh', 'smile', 'frown', 'browAngry', 'browSad', 'browUp'];
const EYE_TARGETS = ['blink', 'happy', 'wide'];

/** Rigid parts per bone, each with its colour. */
function bodyParts(): Record<string, Array<[Colour, Shape]>> {
  const arm = (s: number): Record<string, Array<[Colour, Shape]>> => {
    const side = s > 0 ? 'left' : 'right';
    return {
      [`${side}UpperArm`]: [['shirt', capsule([0, 0, 0], [s * 0.22, 0, 0], 0.042)]],
      [`${side}LowerArm`]: [['skin', capsule([0, 0, 0], [s * 0.2, 0, 0], 0.034)]],
      [`${side}Hand`]: [['skin', ellipsoid([s * 0.05, 0, 0], [0.05, 0.022, 0.035], 16)]],
      [`${side}UpperLeg`]: [['trousers', capsule([0, 0, 0], [0, -0.38, 0], 0.06)]],
      [`${side}LowerLeg`]: [['trousers', capsule([0, 0, 0], [0, -0.38, 0], 0.05)]],
      [`${side}Foot`]: [['shoes', box([0, -0.045, 0.035], [0.045, 0.03, 0.085])]],
    };
  };
  const hair = rotateX(ellipsoid([0, 0.125, -0.006], [0.128, 0.124, 0.13], 24, 0.38), -0.5, HEAD_CENTRE);
  return {
    hips: [['trousers', capsule([0, 0.02, 0], [0, 0.08, 0], 0.12)]],
    spine: [['shirt', capsule([0, 0, 0], [0, 0.14, 0], 0.125)]],
    chest: [['shirt', capsule([0, 0.02, 0], [0, 0.12, 0], 0.13)]],
    neck: [['skin', capsule([0, 0, 0], [0, 0.08, 0], 0.04)]],
    head: [
      [
        'skin',
        merge([
          ellipsoid(HEAD_CENTRE, [HEAD_RADIUS, HEAD_RADIUS, HEAD_RADIUS], 32),
          ellipsoid([0, 0.11, 0.118], [0.011, 0.014, 0.012], 12),
        ]),
      ],
      ['hair', hair],
    ],
    ...arm(1),
    ...arm(-1),
  };
}

/** Mouth and brows: one mesh so the face's targets are in one list. */
function faceParts(): Array<[Colour, Shape]> {
  const rest = { w: 0.028, h: 0.004, curve: 0.003, dy: 0 };
  const lips = mouth(HEAD_CENTRE, HEAD_RADIUS, 0.068, rest, {
    aa: { w: 0.03, h: 0.03, curve: 0, dy: -0.012 },
    ih: { w: 0.038, h: 0.012, curve: 0.004, dy: -0.003 },
    ou: { w: 0.013, h: 0.016, curve: 0, dy: -0.004 },
    ee: { w: 0.042, h: 0.017, curve: 0.007, dy: -0.004 },
    oh: { w: 0.021, h: 0.026, curve: 0, dy: -0.01 },
    smile: { w: 0.036, h: 0.006, curve: 0.012, dy: 0 },
    frown: { w: 0.026, h: 0.004, curve: -0.012, dy: 0.002 },
  });
  const brow = (s: number) => {
    // How near the brow's point is to the middle of the face: 1 at the inner end, 0 at the outer.
    const inner = (p: Vec3) => Math.min(1, Math.max(0, (0.065 - Math.abs(p[0])) / 0.045));
    return withTargets(box([s * 0.043, 0.175, 0.1], [0.022, 0.0045, 0.006]), {
      browAngry: (p) => [p[0], p[1] - 0.014 * inner(p) + 0.003, p[2]],
      browSad: (p) => [p[0], p[1] + 0.014 * inner(p) - 0.003, p[2]],
      browUp: (p) => [p[0], p[1] + 0.016, p[2] - 0.002],
    });
  };
  return [
    ['mouth', padTargets(lips, FACE_TARGETS)],
    ['hair', padTargets(merge([brow(1), brow(-1)]), FACE_TARGETS)],
  ];
}

function eye(): Shape {
  const c = EYE_CENTRE;
  return padTargets(
    withTargets(ellipsoid(c, [0.013, 0.019, 0.006], 16), {
      blink: (p) => [p[0], c[1] - 0.006 + (p[1] - c[1]) * 0.08, p[2]],
      happy: (p) => [p[0], c[1] + (p[1] - c[1]) * (p[1] > c[1] ? 0.55 : 0.08), p[2]],
      wide: (p) => [c[0] + (p[0] - c[0]) * 1.25, c[1] + (p[1] - c[1]) * 1.25, p[2]],
    }),
    EYE_TARGETS,
  );
}

export async function buildStarter(): Promise<Uint8Array> {
  const doc = new Document();
  doc.getRoot().getAsset().generator = 'avatars web/starter/build-starter.ts';
  const buffer = doc.createBuffer();
  const scene = doc.createScene('Scene');
  const materials = new Map<Colour, Material>();
  const material = (c: Colour) => {
    if (!materials.has(c)) {
      materials.set(
        c,
        doc
          .createMaterial(c)
          .setBaseColorFactor([...COLOURS[c], 1])
          .setMetallicFactor(0)
          .setRoughnessFactor(0.75),
      );
    }
    return materials.get(c)!;
  };
  const meshNode = (name: string, parts: Array<[Colour, Shape]>, targetNames: string[] = []): Node => {
    const mesh = doc.createMesh(name);
    if (targetNames.length) mesh.setExtras({ targetNames }).setWeights(targetNames.map(() => 0));
    for (const [colour, shape] of parts) {
      const prim = doc.createPrimitive().setMaterial(material(colour));
      prim.setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(new Float32Array(shape.positions)).setBuffer(buffer));
      prim.setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(new Float32Array(shape.normals)).setBuffer(buffer));
      prim.setIndices(doc.createAccessor().setType('SCALAR').setArray(new Uint16Array(shape.indices)).setBuffer(buffer));
      for (const [tname, deltas] of shape.targets) {
        const target = doc.createPrimitiveTarget(tname);
        target.setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(new Float32Array(deltas)).setBuffer(buffer));
        prim.addTarget(target);
      }
      mesh.addPrimitive(prim);
    }
    return doc.createNode(`${name}_mesh`).setMesh(mesh);
  };

  const root = doc.createNode('Starter');
  scene.addChild(root);
  const bones = new Map<string, Node>();
  for (const [name, parent, t] of BONES) {
    const node = doc.createNode(name).setTranslation(t);
    (parent ? bones.get(parent)! : root).addChild(node);
    bones.set(name, node);
  }
  for (const [bone, parts] of Object.entries(bodyParts())) bones.get(bone)!.addChild(meshNode(bone, parts));
  const face = meshNode('face', faceParts(), FACE_TARGETS);
  bones.get('head')!.addChild(face);
  const leftEye = meshNode('leftEye', [['eye', eye()]], EYE_TARGETS);
  const rightEye = meshNode('rightEye', [['eye', eye()]], EYE_TARGETS);
  bones.get('leftEye')!.addChild(leftEye);
  bones.get('rightEye')!.addChild(rightEye);

  const f = (name: string, weight = 1) => ({ node: face, target: FACE_TARGETS.indexOf(name), weight });
  const eyes = (name: string, weight = 1) => [leftEye, rightEye].map((node) => ({ node, target: EYE_TARGETS.indexOf(name), weight }));
  const expressions: Record<string, VrmExpression> = {
    aa: { binds: [f('aa')] },
    ih: { binds: [f('ih')] },
    ou: { binds: [f('ou')] },
    ee: { binds: [f('ee')] },
    oh: { binds: [f('oh')] },
    blink: { binds: eyes('blink') },
    blinkLeft: { binds: [{ node: leftEye, target: 0, weight: 1 }] },
    blinkRight: { binds: [{ node: rightEye, target: 0, weight: 1 }] },
    // Eyes already closed into arcs or opened wide: a blink on top would fight them.
    happy: { binds: [f('smile'), ...eyes('happy')], overrideBlink: 'block' },
    angry: { binds: [f('browAngry'), f('frown', 0.6)] },
    sad: { binds: [f('browSad'), f('frown'), ...eyes('blink', 0.25)], overrideBlink: 'blend' },
    relaxed: { binds: [f('smile', 0.5), ...eyes('happy', 0.4)], overrideBlink: 'blend' },
    surprised: { binds: [f('browUp'), f('oh', 0.6), ...eyes('wide')], overrideBlink: 'block', overrideMouth: 'blend' },
    neutral: { binds: [] },
  };

  doc.createExtension(VrmcVrmExtension).setSpec({
    meta: {
      name: 'Avatars starter',
      version: '1',
      authors: ['Avatars project'],
      licenseUrl: 'https://vrm.dev/licenses/1.0/',
      avatarPermission: 'everyone',
      allowExcessivelyViolentUsage: false,
      allowExcessivelySexualUsage: false,
      commercialUsage: 'corporation',
      allowPoliticalOrReligiousUsage: true,
      allowAntisocialOrHateUsage: false,
      creditNotation: 'unnecessary',
      allowRedistribution: true,
      modification: 'allowModificationRedistribution',
      otherLicenseUrl: 'https://opensource.org/license/mit',
    },
    humanBones: Object.fromEntries(bones),
    lookAtOffset: [0, 0.14, 0.07],
    lookAtDegrees: { horizontal: 16, up: 12, down: 12 },
    expressions,
  });

  return new NodeIO().registerExtensions([VrmcVrmExtension]).writeBinary(doc);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const bytes = await buildStarter();
  await writeFile(STARTER_PATH, bytes);
  console.log(`${STARTER_PATH}: ${bytes.byteLength} bytes`);
}
