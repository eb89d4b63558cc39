/**
 * GitHub Actions workflow commands (`::error file=...,line=...,title=...::message`) with the
 * escaping GitHub's runner applies when it reads them: in the message `%`, CR and LF; in
 * property values also `:` and `,`, which would otherwise end the value.
 */

export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

export interface AnnotationProperties {
  file?: string
  line?: number
  col?: number
  title?: string
}

export function workflowCommand(level: 'error' | 'warning' | 'notice', properties: AnnotationProperties, message: string): string {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',')
  return `::${level}${props ? ` ${props}` : ''}::${escapeData(message)}`
}
