import type { Response } from 'express';

/** The contract's error shape, `{"error": "<message>"}`, for every failure. */
export function sendError(res: Response, status: number, message: string): void {
  res.status(status).json({ error: message });
}
