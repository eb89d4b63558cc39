/**
 * Text that any XML 1.0 parser accepts, whatever a test name, message or log contains.
 * Escaping of `& < > " '` comes from html-escaper; what no escaping can fix is ours: XML 1.0
 * cannot hold most control characters, lone UTF-16 surrogates or U+FFFE/U+FFFF even as
 * character references, so those are written as visible `\uXXXX` text. ANSI colour codes
 * are dropped. Whitespace inside attributes is written as character references, because a
 * parser would otherwise turn newlines and tabs into spaces.
 */
import { escape } from 'html-escaper'
import { stripVTControlCharacters } from 'node:util'

const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

/** `text` with ANSI escapes removed and characters XML 1.0 cannot hold shown as `\uXXXX`. */
export function xmlSafe(text: string): string {
  return stripVTControlCharacters(text).replace(NOT_XML_CHAR, (ch) => `\\u${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`)
}

/** Element content. A carriage return is a reference so parsers do not fold `\r\n` into `\n`. */
export function xmlText(text: string): string {
  return escape(xmlSafe(text)).replace(/\r/g, '&#13;')
}

/** An attribute value (without the quotes), with its whitespace preserved. */
export function xmlAttr(text: string): string {
  return escape(xmlSafe(text)).replace(/[\t\n\r]/g, (ch: string) => `&#${ch.charCodeAt(0)};`)
}
