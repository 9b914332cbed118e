import { Extension, type Node, type ReaderContext, type WriterContext } from '@gltf-transform/core';

/** A humanoid bone or expression target, named by the document's Node so indices are resolved at write time. */
export interface VrmSpec {
  meta: Record<string, unknown>;
  humanBones: Record<string, Node>;
  /** Offset from the head bone to between the eyes, in the head bone's frame. */
  lookAtOffset: [number, number, number];
  /** Degrees the eye bones turn at most, horizontally and vertically. */
  lookAtDegrees: { horizontal: number; up: number; down: number };
  expressions: Record<string, VrmExpression>;
}

export interface VrmExpression {
  binds: Array<{ node: Node; target: number; weight: number }>;
  overrideBlink?: 'none' | 'block' | 'blend';
  overrideLookAt?: 'none' | 'block' | 'blend';
  overrideMouth?: 'none' | 'block' | 'blend';
}

const NAME = 'VRMC_vrm';

/**
 * Writes the VRMC_vrm 1.0 extension (https://github.com/vrm-c/vrm-specification, VRMC_vrm-1.0) at the root of the
 * glTF. gltf-transform has no VRM support, so this extension only writes; node indices come from the writer context.
 */
export class VrmcVrmExtension extends Extension {
  static override EXTENSION_NAME = NAME;
  override readonly extensionName = NAME;
  private spec: VrmSpec | null = null;

  setSpec(spec: VrmSpec): this {
    this.spec = spec;
    return this;
  }

  read(_context: ReaderContext): this {
    return this;
  }

  write(context: WriterContext): this {
    if (!this.spec) return this;
    const index = (node: Node): number => {
      const i = context.nodeIndexMap.get(node);
      if (i === undefined) throw new Error(`VRMC_vrm refers to a node not in the document: ${node.getName()}`);
      return i;
    };
    const spec = this.spec;
    const humanBones = Object.fromEntries(Object.entries(spec.humanBones).map(([bone, node]) => [bone, { node: index(node) }]));
    const preset = Object.fromEntries(
      Object.entries(spec.expressions).map(([name, e]) => [
        name,
        {
          morphTargetBinds: e.binds.map((b) => ({ node: index(b.node), index: b.target, weight: b.weight })),
          isBinary: false,
          overrideBlink: e.overrideBlink ?? 'none',
          overrideLookAt: e.overrideLookAt ?? 'none',
          overrideMouth: e.overrideMouth ?? 'none',
        },
      ]),
    );
    const range = (deg: number) => ({ inputMaxValue: 90, outputScale: deg });
    const json = context.jsonDoc.json;
    json.extensions = json.extensions ?? {};
    json.extensions[NAME] = {
      specVersion: '1.0',
      meta: spec.meta,
      humanoid: { humanBones },
      firstPerson: { meshAnnotations: [] },
      lookAt: {
        offsetFromHeadBone: spec.lookAtOffset,
        type: 'bone',
        rangeMapHorizontalInner: range(spec.lookAtDegrees.horizontal),
        rangeMapHorizontalOuter: range(spec.lookAtDegrees.horizontal),
        rangeMapVerticalDown: range(spec.lookAtDegrees.down),
        rangeMapVerticalUp: range(spec.lookAtDegrees.up),
      },
      expressions: { preset },
    };
    return this;
  }
}
