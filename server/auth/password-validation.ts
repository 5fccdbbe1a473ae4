import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** One failed rule: a stable code for programs, a message for people. */
export interface PasswordProblem {
  code: 'password_too_short' | 'password_too_long' | 'password_entirely_numeric' | 'password_too_similar' | 'password_too_common';
  message: string;
}

export interface PasswordValidationContext {
  username?: string;
  email?: string | null;
  firstName?: string;
  lastName?: string;
}

export interface PasswordRules {
  minLength: number;
  maxLength: number;
}

let common: Set<string> | null = null;

function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(resolve(import.meta.dir, 'data/common-passwords.txt'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
  );
  return common;
}

/**
 * How alike two strings are, from 0 to 1: the Ratcliff/Obershelp ratio of
 * Python's `difflib.SequenceMatcher`, which Django's similarity check uses.
 * Twice the characters of the matching blocks (the longest common substring,
 * then recursively the longest ones left of it and right of it) over both
 * lengths.
 */
function similarity(a: string, b: string): number {
  if (!a || !b) return 0;
  // Ratcliff/Obershelp-like ratio: 2 * matches / total, computed on matching blocks.
  const matches = (x: string, y: string): number => {
    if (!x || !y) return 0;
    let best = 0;
    let bx = 0;
    let by = 0;
    for (let i = 0; i < x.length; i++) {
      for (let j = 0; j < y.length; j++) {
        let k = 0;
        while (i + k < x.length && j + k < y.length && x[i + k] === y[j + k]) k++;
        if (k > best) {
          best = k;
          bx = i;
          by = j;
        }
      }
    }
    if (best === 0) return 0;
    return best + matches(x.slice(0, bx), y.slice(0, by)) + matches(x.slice(bx + best), y.slice(by + best));
  };
  return (2 * matches(a, b)) / (a.length + b.length);
}

/** Django's default maximum similarity between a password and a user attribute. */
const MAX_SIMILARITY = 0.7;

/**
 * Django-like validators: minimum length, maximum length, not entirely numeric,
 * not too similar to the user's attributes, not on the common-password list.
 * Returns every problem found (empty when the password is acceptable).
 */
export function validatePassword(password: string, rules: PasswordRules, context: PasswordValidationContext = {}): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  if (password.length < rules.minLength) {
    problems.push({
      code: 'password_too_short',
      message: `This password is too short. It must contain at least ${rules.minLength} characters.`,
    });
  }
  if (password.length > rules.maxLength) {
    problems.push({
      code: 'password_too_long',
      message: `This password is too long. It must contain at most ${rules.maxLength} characters.`,
    });
    return problems;
  }
  if (/^\d+$/.test(password)) {
    problems.push({ code: 'password_entirely_numeric', message: 'This password is entirely numeric.' });
  }
  const lower = password.toLowerCase();
  const attributes: [string, string | null | undefined][] = [
    ['username', context.username],
    ['email address', context.email],
    ['first name', context.firstName],
    ['last name', context.lastName],
  ];
  for (const [label, raw] of attributes) {
    if (!raw) continue;
    const value = raw.toLowerCase();
    const parts = [value, ...value.split(/\W+/).filter((p) => p.length >= 3)];
    if (parts.some((part) => similarity(lower, part) >= MAX_SIMILARITY)) {
      problems.push({ code: 'password_too_similar', message: `The password is too similar to the ${label}.` });
      break;
    }
  }
  if (commonPasswords().has(lower.trim())) {
    problems.push({ code: 'password_too_common', message: 'This password is too common.' });
  }
  return problems;
}
