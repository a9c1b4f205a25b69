import type { Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validate, type ValidationError } from 'class-validator';
import { NonRetryableError } from './errors.js';

/** Turns a deserialized payload into the handler's argument, validating it when its type asks for that. */
export type PayloadTransform = (value: unknown) => Promise<unknown>;

const passThrough: PayloadTransform = (value) => Promise.resolve(value);

/**
 * The transform for a handler whose first parameter is `type` (from design:paramtypes): when
 * it is a class with class-validator decorators, the payload becomes an instance of it
 * (class-transformer) and is validated; an invalid payload throws a NonRetryableError listing
 * the violations, since delivering it again cannot make it valid.
 */
export function payloadTransform(type: unknown): PayloadTransform {
  if (typeof type !== 'function' || getMetadataStorage().getTargetValidationMetadatas(type, '', true, false).length === 0) {
    return passThrough;
  }
  const cls = type as Type;
  return async (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new NonRetryableError(`validation failed: expected an object for ${cls.name}`);
    }
    const instance = plainToInstance(cls, value) as object;
    const errors = await validate(instance);
    if (errors.length > 0) throw new NonRetryableError(`validation failed: ${describe(errors).join('; ')}`);
    return instance;
  };
}

function describe(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((e) => {
    const at = path ? `${path}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((text) =>
      text.startsWith(e.property) ? `${path ? `${path}.` : ''}${text}` : `${at}: ${text}`,
    );
    return [...own, ...describe(e.children ?? [], at)];
  });
}
