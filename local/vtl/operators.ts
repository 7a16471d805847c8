/**
 * Velocity 1.7's operators on Java values: arithmetic (+ - * / %), ordering (< <= > >=),
 * equality (== !=), and the Number methods (intValue, longValue, ...).
 *
 * Velocity 1.7 (org.apache.velocity.util.MathUtils) computes on the operands' "calculation
 * base": Integer and Long operands in long arithmetic, where a result that no longer fits
 * becomes a BigInteger (+, -, *) or wraps as Java's long does (Long.MIN_VALUE / -1), and is
 * then returned in the larger operand class (Integer widened to Long when needed); a BigInteger
 * operand makes it BigInteger arithmetic; a Double (or Float) makes it double arithmetic; a
 * BigDecimal, or a Double with a BigInteger, makes it exact BigDecimal arithmetic. Every rule
 * here is pinned down against the real engine in tests/fixtures/vtl/differential-cases.ts.
 */
import { UnsupportedTemplateError } from './errors';
import {
  INT_MAX,
  INT_MIN,
  JArray,
  JBigDecimal,
  JBigInteger,
  JDouble,
  JList,
  JMap,
  isHostObject,
  isInt,
  isNull,
  isNumber,
  javaInteger,
  javaToString,
} from './values';

/** How two operands are computed: MathUtils.findCalculationBase. */
const enum Base {
  Long,
  BigInteger,
  Double,
  BigDecimal,
  None,
}

function base(a: unknown, b: unknown): Base {
  const ai = typeof a === 'number' || typeof a === 'bigint';
  const bi = typeof b === 'number' || typeof b === 'bigint';
  if (ai && bi) return Base.Long;
  const aBig = a instanceof JBigInteger;
  const bBig = b instanceof JBigInteger;
  const aNum = ai || aBig || a instanceof JDouble || a instanceof JBigDecimal;
  const bNum = bi || bBig || b instanceof JDouble || b instanceof JBigDecimal;
  if (!aNum || !bNum) return Base.None;
  if (a instanceof JBigDecimal || b instanceof JBigDecimal) return Base.BigDecimal;
  if ((ai || aBig) && (bi || bBig)) return Base.BigInteger;
  if (aBig || bBig) return Base.BigDecimal;
  return Base.Double;
}

function bigintOf(value: unknown): bigint {
  if (typeof value === 'number') return BigInt(value);
  if (typeof value === 'bigint') return value;
  return (value as JBigInteger).value;
}

function doubleOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof JDouble) return value.value;
  if (value instanceof JBigInteger) return Number(value.value);
  return Number((value as JBigDecimal).toString());
}

function decimalOf(value: unknown): JBigDecimal {
  if (value instanceof JBigDecimal) return value;
  if (value instanceof JDouble) return JBigDecimal.ofDouble(value.value);
  return new JBigDecimal(bigintOf(value), 0);
}

/** MathUtils.wrapPrimitive: a long result in the larger operand class, Integer widened to Long. */
function wrapLong(result: bigint, a: unknown, b: unknown): number | bigint {
  if (typeof a === 'number' && typeof b === 'number' && result >= INT_MIN && result <= INT_MAX) {
    return Number(result);
  }
  return result;
}

const asLong = (x: bigint): bigint => BigInt.asIntN(64, x);

function longArithmetic(op: string, a: number | bigint, b: number | bigint): unknown {
  const x = BigInt(a);
  const y = BigInt(b);
  switch (op) {
    case '+': {
      const r = asLong(x + y);
      // Overflow (MathUtils.add): the sign of the result differs from both operands'.
      if ((r ^ x) < 0n && (r ^ y) < 0n) return new JBigInteger(x + y);
      return wrapLong(r, a, b);
    }
    case '-': {
      const r = asLong(x - y);
      if ((r ^ x) < 0n && (r ^ ~y) < 0n) return new JBigInteger(x - y);
      return wrapLong(r, a, b);
    }
    case '*': {
      const r = asLong(x * y);
      // MathUtils.multiply's check, with Java's wrapping long division (MIN_VALUE * -1 passes).
      if (y !== 0n && asLong(r / y) !== x) return new JBigInteger(x * y);
      return wrapLong(r, a, b);
    }
    case '/':
      return y === 0n ? null : wrapLong(asLong(x / y), a, b);
    case '%':
      return y === 0n ? null : wrapLong(x % y, a, b);
    default:
      throw new UnsupportedTemplateError(`operator ${op}`);
  }
}

/** The four operators on two Integers (the common case) without BigInt. */
function intArithmetic(op: string, a: number, b: number): unknown {
  switch (op) {
    case '+': {
      const r = a + b;
      return isInt(r) ? r : BigInt(r);
    }
    case '-': {
      const r = a - b;
      return isInt(r) ? r : BigInt(r);
    }
    case '*': {
      const r = a * b;
      if (isInt(r)) return r + 0;
      return BigInt(a) * BigInt(b);
    }
    case '/': {
      if (b === 0) return null;
      const r = Math.trunc(a / b) + 0;
      return isInt(r) ? r : BigInt(r);
    }
    case '%':
      return b === 0 ? null : (a % b) + 0;
    default:
      throw new UnsupportedTemplateError(`operator ${op}`);
  }
}

/** a <op> b for + - * / %: null when an operand is not a number or on division by zero. */
export function arithmetic(op: string, a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return intArithmetic(op, a, b);
  switch (base(a, b)) {
    case Base.Long:
      return longArithmetic(op, a as number | bigint, b as number | bigint);
    case Base.BigInteger: {
      const x = bigintOf(a);
      const y = bigintOf(b);
      switch (op) {
        case '+':
          return new JBigInteger(x + y);
        case '-':
          return new JBigInteger(x - y);
        case '*':
          return new JBigInteger(x * y);
        case '/':
          return y === 0n ? null : new JBigInteger(x / y);
        case '%':
          return y === 0n ? null : new JBigInteger(x % y);
        default:
          throw new UnsupportedTemplateError(`operator ${op}`);
      }
    }
    case Base.Double: {
      const x = doubleOf(a);
      const y = doubleOf(b);
      switch (op) {
        case '+':
          return new JDouble(x + y);
        case '-':
          return new JDouble(x - y);
        case '*':
          return new JDouble(x * y);
        case '/':
          return y === 0 ? null : new JDouble(x / y);
        case '%':
          return y === 0 ? null : new JDouble(x % y);
        default:
          throw new UnsupportedTemplateError(`operator ${op}`);
      }
    }
    case Base.BigDecimal:
      return decimalArithmetic(op, decimalOf(a), decimalOf(b));
    default:
      return null;
  }
}

function decimalArithmetic(op: string, x: JBigDecimal, y: JBigDecimal): unknown {
  const scale = Math.max(x.scale, y.scale);
  const align = (d: JBigDecimal): bigint => d.unscaled * 10n ** BigInt(scale - d.scale);
  switch (op) {
    case '+':
      return new JBigDecimal(align(x) + align(y), scale);
    case '-':
      return new JBigDecimal(align(x) - align(y), scale);
    case '*':
      return new JBigDecimal(x.unscaled * y.unscaled, x.scale + y.scale);
    default:
      // BigDecimal division and remainder round in ways this runtime does not reproduce.
      throw new UnsupportedTemplateError(
        `operator ${op} on a BigDecimal (a decimal of more than 18 characters, or a Double with a BigInteger) is not supported by the local VTL runtime`,
      );
  }
}

/** MathUtils.compare: -1, 0 or 1; undefined when either side is not a number. */
export function compareNumbers(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  switch (base(a, b)) {
    case Base.Long:
    case Base.BigInteger: {
      const x = bigintOf(a);
      const y = bigintOf(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case Base.Double: {
      const x = doubleOf(a);
      const y = doubleOf(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case Base.BigDecimal: {
      const x = decimalOf(a);
      const y = decimalOf(b);
      const scale = Math.max(x.scale, y.scale);
      const p = x.unscaled * 10n ** BigInt(scale - x.scale);
      const q = y.unscaled * 10n ** BigInt(scale - y.scale);
      return p < q ? -1 : p > q ? 1 : 0;
    }
    default:
      return undefined;
  }
}

/** < <= > >=: 1.7 only orders numbers; anything else is false. */
export function lessThan(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  const c = compareNumbers(a, b);
  return c !== undefined && c < 0;
}
export function lessOrEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a <= b;
  const c = compareNumbers(a, b);
  return c !== undefined && c <= 0;
}
export function greaterThan(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a > b;
  const c = compareNumbers(a, b);
  return c !== undefined && c > 0;
}
export function greaterOrEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a >= b;
  const c = compareNumbers(a, b);
  return c !== undefined && c >= 0;
}

/** The five operators, each on its own (the compiler calls these, not arithmetic(op, ...)). */
export function add(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    return isInt(r) ? r : BigInt(r);
  }
  return arithmetic('+', a, b);
}
export function subtract(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    return isInt(r) ? r : BigInt(r);
  }
  return arithmetic('-', a, b);
}
export function multiply(a: unknown, b: unknown): unknown {
  return arithmetic('*', a, b);
}
export function divide(a: unknown, b: unknown): unknown {
  return arithmetic('/', a, b);
}
export function remainder(a: unknown, b: unknown): unknown {
  return arithmetic('%', a, b);
}

/** Java's (int) and (long) casts of a double: truncation, saturating, NaN as 0. */
function doubleToLong(x: number, bits: 32 | 64): bigint {
  if (Number.isNaN(x)) return 0n;
  const min = -(2n ** BigInt(bits - 1));
  const max = 2n ** BigInt(bits - 1) - 1n;
  if (x <= Number(min)) return min;
  if (x >= Number(max)) return max;
  return BigInt(Math.trunc(x));
}

/** Number.intValue / longValue / doubleValue, for any Java number. */
export function intValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(BigInt.asIntN(32, value));
  if (value instanceof JBigInteger) return Number(BigInt.asIntN(32, value.value));
  if (value instanceof JDouble) return Number(doubleToLong(value.value, 32));
  const d = value as JBigDecimal;
  return Number(BigInt.asIntN(32, d.unscaled / 10n ** BigInt(Math.max(d.scale, 0))));
}

export function longValue(value: unknown): bigint {
  if (typeof value === 'number') return BigInt(value);
  if (typeof value === 'bigint') return value;
  let r: bigint;
  if (value instanceof JBigInteger) r = BigInt.asIntN(64, value.value);
  else if (value instanceof JDouble) r = doubleToLong(value.value, 64);
  else {
    const d = value as JBigDecimal;
    r = BigInt.asIntN(64, truncateDecimal(d));
  }
  return r;
}

function truncateDecimal(d: JBigDecimal): bigint {
  return d.scale >= 0 ? d.unscaled / 10n ** BigInt(d.scale) : d.unscaled * 10n ** BigInt(-d.scale);
}

export function doubleValue(value: unknown): JDouble {
  return new JDouble(doubleOf(value));
}

/** Number.equals: the same class and value (Integer 5 is not Long 5, nor Double 5.0). */
export function numberEquals(a: unknown, b: unknown): boolean {
  if (typeof a === 'number') return typeof b === 'number' && a === b;
  if (typeof a === 'bigint') return typeof b === 'bigint' && a === b;
  if (a instanceof JDouble) return b instanceof JDouble && Object.is(a.value, b.value);
  if (a instanceof JBigInteger) return b instanceof JBigInteger && a.value === b.value;
  if (a instanceof JBigDecimal) {
    return b instanceof JBigDecimal && a.unscaled === b.unscaled && a.scale === b.scale;
  }
  return false;
}

/** Velocity's name for a number's class. */
export function numberClassName(value: unknown): string | undefined {
  if (typeof value === 'number') return 'Integer';
  if (typeof value === 'bigint') return 'Long';
  if (value instanceof JDouble) return 'Double';
  if (value instanceof JBigInteger) return 'BigInteger';
  if (value instanceof JBigDecimal) return 'BigDecimal';
  return undefined;
}

/** Unary minus (`-$x` does not parse in 1.7; velocityjs reads `-5` as 0 - 5). */
export function negate(value: unknown): unknown {
  return arithmetic('-', 0, value);
}

/** A range bound: Velocity 1.7 takes any Number's intValue(); anything else gives no range. */
export function rangeBound(value: unknown): number | undefined {
  if (isNull(value)) return undefined;
  if (typeof value === 'number') return value;
  if (numberClassName(value) === undefined) return undefined;
  return intValue(value);
}

export { javaInteger };

/** Velocity's name for a value's class, used in error messages. */
export function javaClassName(value: unknown): string {
  if (typeof value === 'string') return 'String';
  const number = numberClassName(value);
  if (number !== undefined) return number;
  if (typeof value === 'boolean') return 'Boolean';
  if (value instanceof JList) return value.json ? 'JSONArray' : 'ArrayList';
  if (value instanceof JArray) return 'String[]';
  if (value instanceof JMap) return 'LinkedHashMap';
  if (isHostObject(value)) return value.hostName;
  return typeof value;
}

/** Object.equals: numbers of the same class and value, lists and maps element by element. */
export function javaEquals(a: unknown, b: unknown): boolean {
  if (isNull(a) || isNull(b)) return isNull(a) && isNull(b);
  if (isNumber(a)) return numberEquals(a, b);
  if (a instanceof JList && b instanceof JList) {
    return a.items.length === b.items.length && a.items.every((x, i) => javaEquals(x, b.items[i]));
  }
  if (a instanceof JMap && b instanceof JMap) {
    if (a.map.size !== b.map.size) return false;
    for (const [k, v] of a.map) if (!b.map.has(k) || !javaEquals(v, b.map.get(k))) return false;
    return true;
  }
  return a === b;
}

/**
 * Velocity 1.7 ASTEQNode: numbers compare by value (MathUtils.compare), same-class objects with
 * equals(), others by toString(). One API Gateway difference (LocalStack's AWS-recorded
 * test_input_path_template_formatting): a null reference compares equal to "".
 */
export function velocityEquals(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) {
    if (isNull(a) && isNull(b)) return true;
    return a === '' || b === '';
  }
  // The common cases first: two Strings, two Integers.
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (isNumber(a) && isNumber(b)) return compareNumbers(a, b) === 0;
  if (javaClassName(a) === javaClassName(b)) return javaEquals(a, b);
  if ((a instanceof JList || a instanceof JMap) && (b instanceof JList || b instanceof JMap)) {
    // ArrayList and JSONArray are both Lists: equals() applies.
    return javaEquals(a, b);
  }
  return javaToString(a) === javaToString(b);
}
