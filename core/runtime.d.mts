/** Types of core/runtime.mjs: the one place where Node and Deno differ for mltest. */
export declare const runtimeName: 'node' | 'deno'
export declare const isDeno: boolean
export declare const runtimeLabel: string
export declare function loadTypeScript(): Promise<void>
export declare const heapLimitSignal: 'SIGABRT' | 'SIGTRAP'
export declare const runtimeLimits: { threadHeapLimit?: string }
export declare function unloadablePackage(specifier: string, feature: string): string | undefined
export declare function loadFailureFix(specifier: string, error: unknown): string
export declare function missingPermissions(extra?: Record<string, string>): string | undefined
