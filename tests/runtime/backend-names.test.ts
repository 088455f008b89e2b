import { expect, it } from 'vitest';
import { BACKEND_NAME_LIST } from '../../runtime/backends/names.ts';
import { BACKEND_NAMES } from '../../runtime/backend.ts';

it('the plain list of backend names equals auto plus every profile', () => {
  expect([...BACKEND_NAME_LIST]).toEqual([...BACKEND_NAMES]);
});
