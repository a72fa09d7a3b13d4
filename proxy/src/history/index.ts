// The routing history: an append-only log of every routing change, who made it and why.
export { actorFromHeader, isActorKind, ADMIN_TOKEN_ACTOR, FILE_EDIT_ACTOR, type Actor, type ActorKind, type GateReading, type HistoryEntry, type NewHistoryEntry, type RouteRouting } from './history-entry.js';
export { createHistoryStore, openHistoryStore, openHistoryReader, type HistoryStore, type HistoryQuery } from './history-store.js';
export { routingChanges, routingOf, describeRoutingChange, sameRouting, DEFAULT_ROUTE_NAME, type RoutingChange } from './routing-changes.js';
export { createHistoryRecorder, type HistoryRecorder, type Attribution } from './history-recorder.js';
export { createHistoryRouter } from './history-router.js';
