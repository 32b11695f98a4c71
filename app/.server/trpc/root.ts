import { accountRouter } from "./routers/account";
import { matchRouter } from "./routers/match";
import { messageRouter } from "./routers/message";
import { roomRouter } from "./routers/room";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  room: roomRouter,
  message: messageRouter,
  match: matchRouter,
  account: accountRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
