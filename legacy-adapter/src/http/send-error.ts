import type { Response } from 'express';

/** Every error the frontend sees has one shape: `{"error": "<message>"}`. */
export function sendError(res: Response, status: number, message: string): void {
  res.status(status).json({ error: message });
}
