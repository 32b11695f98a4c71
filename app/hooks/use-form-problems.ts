import { useCallback, useEffect, useRef, useState } from "react";
import type { FormProblem } from "~/lib/account-errors";

export type FieldErrors<Field extends string> = Partial<Record<Field, string>>;

/**
 * A form's errors beside its fields and above it, a busy flag for the seconds the password is
 * being stretched, and focus on the first field in trouble so a keyboard or screen-reader user
 * lands where the fix is. `order` is the fields in the order they appear.
 */
export function useFormProblems<Field extends string>(order: readonly Field[]) {
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<Field>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [hydrated, setHydrated] = useState(false);
  const inputs = useRef(new Map<Field, HTMLInputElement>());
  const focusPending = useRef(false);

  useEffect(() => setHydrated(true), []);

  useEffect(() => {
    if (!focusPending.current) return;
    focusPending.current = false;
    const first = order.find((field) => fieldErrors[field]);
    if (first) inputs.current.get(first)?.focus();
  }, [fieldErrors, order]);

  const inputRef = useCallback(
    (field: Field) => (element: HTMLInputElement | null) => {
      if (element) inputs.current.set(field, element);
      else inputs.current.delete(field);
    },
    [],
  );

  /** Shows these field errors (none: clears them); true when there were any. */
  const showFieldErrors = useCallback((errors: FieldErrors<Field>) => {
    focusPending.current = true;
    setFieldErrors(errors);
    return Object.values(errors).some(Boolean);
  }, []);

  /** A server or crypto failure: beside its field when it names one of this form's, else above. */
  const showProblem = useCallback(
    (problem: FormProblem) => {
      if (problem.field && (order as readonly string[]).includes(problem.field)) {
        showFieldErrors({ [problem.field]: problem.message } as FieldErrors<Field>);
        setFormError(null);
      } else {
        setFormError(problem.message);
      }
    },
    [order, showFieldErrors],
  );

  const clearField = useCallback((field: Field) => {
    setFieldErrors((errors) => (errors[field] ? { ...errors, [field]: undefined } : errors));
  }, []);

  /**
   * What a TextField of this form takes for one field: its value, a change that also clears the
   * field's error, the ref that lets focus find it, and its error.
   */
  const bind = (field: Field, value: string, setValue: (value: string) => void) => ({
    value,
    onValueChange: (next: string) => {
      setValue(next);
      clearField(field);
    },
    inputRef: inputRef(field),
    error: fieldErrors[field],
  });

  const reset = useCallback(() => {
    setFieldErrors({});
    setFormError(null);
  }, []);

  return {
    fieldErrors,
    formError,
    busy,
    setBusy,
    /** Until the page's script runs, submitting would only reload it: the buttons wait. */
    hydrated,
    inputRef,
    showFieldErrors,
    showProblem,
    clearField,
    bind,
    reset,
  };
}
