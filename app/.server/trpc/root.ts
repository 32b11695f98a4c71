import { accountRouter } from "./routers/account";
import { chatRouter } from "./routers/chat";
import { matchRouter } from "./routers/match";
import { messageRouter } from "./routers/message";
import { roomRouter } from "./routers/room";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  room: roomRouter,
  message: messageRouter,
  match: matchRouter,
  account: accountRouter,
  chat: chatRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
