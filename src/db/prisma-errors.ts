/** Recognises Prisma's known request errors without leaking Prisma types past src/db. */
export function prismaErrorCode(error: unknown): string | null {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' && error.code.startsWith('P')) {
    return error.code;
  }
  return null;
}

/** P2002: unique constraint violation. */
export function isUniqueViolation(error: unknown): boolean {
  return prismaErrorCode(error) === 'P2002';
}

/** P2025: the record to update or delete does not exist. */
export function isRecordNotFound(error: unknown): boolean {
  return prismaErrorCode(error) === 'P2025';
}
