import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { handleImageRequest } from "~/.server/image-transfer";
import { getServices } from "~/.server/services";

/** A room's sealed images: `PUT` from the sender's browser, `GET` for the room's members. */
function handler({ request, params, context }: LoaderFunctionArgs | ActionFunctionArgs) {
  return handleImageRequest(request, params, getServices(), context.clientAddress);
}

export const loader = handler;
export const action = handler;
