import { useCallback, useEffect, useState } from "react";
import { loadName, saveName } from "~/lib/identity";

/** The display name from localStorage; empty during server rendering and the first paint. */
export function useDisplayName(): [string, (name: string) => void] {
  const [name, setName] = useState("");
  useEffect(() => {
    setName(loadName());
  }, []);
  const update = useCallback((next: string) => {
    setName(next);
    if (next.trim()) saveName(next.trim());
  }, []);
  return [name, update];
}
