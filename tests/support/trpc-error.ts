import { TRPCError } from "@trpc/server";

/** The TRPCError a server-side call fails with; a call that succeeds fails the test. */
export async function rejection(call: () => Promise<unknown>): Promise<TRPCError> {
  try {
    await call();
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}
