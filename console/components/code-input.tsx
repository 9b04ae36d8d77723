import type { Ref } from 'preact';

/** A TOTP code field (6 digits, a space allowed), as sign-in and My account ask for it. */
export function CodeInput(props: {
  value: string;
  onInput: (value: string) => void;
  inputRef?: Ref<HTMLInputElement>;
}) {
  return (
    <input
      ref={props.inputRef}
      name="code"
      inputMode="numeric"
      autocomplete="one-time-code"
      pattern="[0-9 ]{6,7}"
      required
      value={props.value}
      onInput={(e) => props.onInput(e.currentTarget.value)}
    />
  );
}
