// Contract-call decoding against a small built-in ABI table (ERC-20, ERC-721, WETH,
// Uniswap v2/v3 routers, multicall). Pure: no I/O.
//
// Selector overlaps: ERC-20 and ERC-721 transferFrom(address,address,uint256) and
// approve(address,uint256) have identical selectors and encodings, so they cannot be told
// apart from calldata; they decode under the ERC-20 names (from,to,value / spender,value),
// where `value` is the token id for ERC-721. Token-transfer rows come from logs, not from here.
import type { AbiFunction } from 'viem';
import { decodeFunctionData, parseAbi, toFunctionSelector } from 'viem/utils';

const SIGNATURES = [
  // ERC-20
  'function transfer(address to, uint256 value)',
  'function transferFrom(address from, address to, uint256 value)',
  'function approve(address spender, uint256 value)',
  'function increaseAllowance(address spender, uint256 addedValue)',
  'function decreaseAllowance(address spender, uint256 subtractedValue)',
  'function mint(address to, uint256 amount)',
  'function burn(uint256 amount)',
  'function burnFrom(address account, uint256 amount)',
  // ERC-721 (transferFrom/approve share ERC-20 selectors, see above)
  'function safeTransferFrom(address from, address to, uint256 tokenId)',
  'function safeTransferFrom(address from, address to, uint256 tokenId, bytes data)',
  'function setApprovalForAll(address operator, bool approved)',
  // WETH
  'function deposit()',
  'function withdraw(uint256 wad)',
  // Uniswap v2 router
  'function swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline)',
  'function swapTokensForExactTokens(uint256 amountOut, uint256 amountInMax, address[] path, address to, uint256 deadline)',
  'function swapExactETHForTokens(uint256 amountOutMin, address[] path, address to, uint256 deadline)',
  'function swapTokensForExactETH(uint256 amountOut, uint256 amountInMax, address[] path, address to, uint256 deadline)',
  'function swapExactTokensForETH(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline)',
  'function swapETHForExactTokens(uint256 amountOut, address[] path, address to, uint256 deadline)',
  'function swapExactTokensForTokensSupportingFeeOnTransferTokens(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline)',
  'function swapExactETHForTokensSupportingFeeOnTransferTokens(uint256 amountOutMin, address[] path, address to, uint256 deadline)',
  'function swapExactTokensForETHSupportingFeeOnTransferTokens(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline)',
  'function addLiquidity(address tokenA, address tokenB, uint256 amountADesired, uint256 amountBDesired, uint256 amountAMin, uint256 amountBMin, address to, uint256 deadline)',
  'function addLiquidityETH(address token, uint256 amountTokenDesired, uint256 amountTokenMin, uint256 amountETHMin, address to, uint256 deadline)',
  'function removeLiquidity(address tokenA, address tokenB, uint256 liquidity, uint256 amountAMin, uint256 amountBMin, address to, uint256 deadline)',
  'function removeLiquidityETH(address token, uint256 liquidity, uint256 amountTokenMin, uint256 amountETHMin, address to, uint256 deadline)',
  // Uniswap v3 SwapRouter (with deadline) and SwapRouter02 (without)
  'function exactInputSingle((address tokenIn, address tokenOut, uint24 fee, address recipient, uint256 deadline, uint256 amountIn, uint256 amountOutMinimum, uint160 sqrtPriceLimitX96) params)',
  'function exactOutputSingle((address tokenIn, address tokenOut, uint24 fee, address recipient, uint256 deadline, uint256 amountOut, uint256 amountInMaximum, uint160 sqrtPriceLimitX96) params)',
  'function exactInput((bytes path, address recipient, uint256 deadline, uint256 amountIn, uint256 amountOutMinimum) params)',
  'function exactOutput((bytes path, address recipient, uint256 deadline, uint256 amountOut, uint256 amountInMaximum) params)',
  'function exactInputSingle((address tokenIn, address tokenOut, uint24 fee, address recipient, uint256 amountIn, uint256 amountOutMinimum, uint160 sqrtPriceLimitX96) params)',
  'function exactOutputSingle((address tokenIn, address tokenOut, uint24 fee, address recipient, uint256 amountOut, uint256 amountInMaximum, uint160 sqrtPriceLimitX96) params)',
  'function exactInput((bytes path, address recipient, uint256 amountIn, uint256 amountOutMinimum) params)',
  'function exactOutput((bytes path, address recipient, uint256 amountOut, uint256 amountInMaximum) params)',
  // Universal router
  'function execute(bytes commands, bytes[] inputs, uint256 deadline)',
  'function execute(bytes commands, bytes[] inputs)',
  // multicall (Uniswap v3 periphery, SwapRouter02 with deadline / previous block hash)
  'function multicall(bytes[] data)',
  'function multicall(uint256 deadline, bytes[] data)',
  'function multicall(bytes32 previousBlockhash, bytes[] data)',
] as const;

const abi = parseAbi(SIGNATURES) as readonly AbiFunction[];

/** selector → function. First signature wins on a (theoretical) collision. */
export const KNOWN_FUNCTIONS: ReadonlyMap<string, AbiFunction> = (() => {
  const m = new Map<string, AbiFunction>();
  for (const fn of abi) {
    const sel = toFunctionSelector(fn);
    if (!m.has(sel)) m.set(sel, fn);
  }
  return m;
})();

export type DecodedCall = {
  /** 0x + 8 lowercase hex. */
  selector: string;
  /** Method name when the selector is in the table and the arguments decode, else null. */
  method: string | null;
  /** Arguments by name (unnamed: arg0, arg1...; tuple fields: params.tokenIn). */
  args: Record<string, string> | null;
};

/** Bytes arguments longer than this many bytes are summarised, not copied into the record. */
export const MAX_BYTES_ARG = 128;

function stringifyValue(v: unknown): string {
  if (typeof v === 'bigint') return v.toString(10);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') {
    if (/^0x[0-9a-fA-F]*$/.test(v)) {
      const bytes = (v.length - 2) / 2;
      return bytes > MAX_BYTES_ARG ? `${v.slice(0, 2 + 2 * 32).toLowerCase()}…(${bytes} bytes)` : v.toLowerCase();
    }
    return v;
  }
  if (Array.isArray(v)) return JSON.stringify(v.map(stringifyValue));
  if (v !== null && typeof v === 'object') {
    return JSON.stringify(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stringifyValue(x)])));
  }
  return String(v);
}

type AbiParam = { name?: string; type: string; components?: readonly AbiParam[] };

function flatten(params: readonly AbiParam[], values: readonly unknown[], prefix: string, out: Record<string, string>): void {
  params.forEach((p, i) => {
    const name = `${prefix}${p.name && p.name.length > 0 ? p.name : `arg${i}`}`;
    const v = values[i];
    if (p.type === 'tuple' && p.components && v !== null && typeof v === 'object') {
      const comps = p.components;
      const arr = Array.isArray(v) ? v : comps.map((c) => (v as Record<string, unknown>)[c.name ?? '']);
      flatten(comps, arr, `${name}.`, out);
    } else {
      out[name] = stringifyValue(v);
    }
  });
}

/** Multicall payloads: keep the count and inner selectors (decoded names), not the raw bytes. */
function summariseCalls(calls: readonly unknown[]): Record<string, string> {
  const inner = calls.map((c) => (typeof c === 'string' && c.length >= 10 ? c.slice(0, 10).toLowerCase() : '0x'));
  return {
    calls: String(calls.length),
    selectors: JSON.stringify(inner),
    methods: JSON.stringify(inner.map((s) => KNOWN_FUNCTIONS.get(s)?.name ?? null)),
  };
}

/**
 * Decode calldata. null when the input has no 4-byte selector; method/args null when the
 * selector is unknown or the arguments do not decode against the known ABI.
 */
export function decodeCall(input: string): DecodedCall | null {
  if (!/^0x[0-9a-fA-F]*$/.test(input) || input.length < 10) return null;
  const data = input.toLowerCase() as `0x${string}`;
  const selector = data.slice(0, 10);
  const fn = KNOWN_FUNCTIONS.get(selector);
  if (!fn) return { selector, method: null, args: null };
  let values: readonly unknown[];
  try {
    values = (decodeFunctionData({ abi: [fn], data }).args ?? []) as readonly unknown[];
  } catch {
    return { selector, method: null, args: null };
  }
  const args: Record<string, string> = {};
  const params = fn.inputs as readonly AbiParam[];
  if (fn.name === 'multicall' || fn.name === 'execute') {
    params.forEach((p, i) => {
      const name = p.name && p.name.length > 0 ? p.name : `arg${i}`;
      const v = values[i];
      if (p.type === 'bytes[]' && Array.isArray(v)) Object.assign(args, fn.name === 'multicall' ? summariseCalls(v) : { inputs: String(v.length) });
      else args[name] = stringifyValue(v);
    });
  } else {
    flatten(params, values, '', args);
  }
  return { selector, method: fn.name, args };
}
