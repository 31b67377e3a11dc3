import Long from 'long';
import protobuf from 'protobufjs';
import { MesosCodecError } from '../errors';
import { descriptorJson } from '../generated/descriptor';
import type { MessageName } from '../generated/types';

// Without an explicit Long implementation protobufjs decodes 64-bit integers
// into lossy JS numbers (its own lookup of `long` fails under ESM loaders).
protobuf.util.Long = Long;
protobuf.configure();

const root = protobuf.Root.fromJSON(JSON.parse(descriptorJson) as protobuf.INamespace);
root.resolveAll();

const types = new Map<string, protobuf.Type>();

export function messageType(name: MessageName): protobuf.Type {
  let type = types.get(name);
  if (!type) {
    const found = root.lookup(name);
    if (!(found instanceof protobuf.Type))
      throw new MesosCodecError(`unknown message type ${name}`);
    type = found;
    types.set(name, type);
  }
  return type;
}

/** The message type of a field, or undefined for enum and scalar fields. */
export function nestedMessage(field: protobuf.Field): protobuf.Type | undefined {
  return field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
}

export type LeafShape = { kind: 'enum'; type: protobuf.Enum } | { kind: 'scalar'; type: string };

const shapes = new Map<protobuf.Field, LeafShape>();

/** What a non-message field holds; the walker never hands message fields to leaf converters. */
export function leafShape(field: protobuf.Field): LeafShape {
  let shape = shapes.get(field);
  if (!shape) {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Enum) shape = { kind: 'enum', type: resolved };
    else if (resolved) throw new MesosCodecError(`${field.fullName}: message field used as a leaf`);
    else shape = { kind: 'scalar', type: field.type };
    shapes.set(field, shape);
  }
  return shape;
}
