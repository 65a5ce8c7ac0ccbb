import { describe, expect, it } from 'vitest'
import { swapTemplate, templateFor } from './script_templates'

const templates = [
  { script_language: 1, content: '#!/bin/bash\njob_start\n' },
  { script_language: 4, content: '#!/usr/bin/env python3\njob_start()\n' },
]

describe('script templates', () => {
  it('finds the template of a language, or nothing', () => {
    expect(templateFor(templates, 4)).toContain('python3')
    expect(templateFor(templates, 2)).toBe('')
  })
  it('follows the language while the template is untouched', () => {
    expect(swapTemplate(templates[0]!.content, 1, 4, templates)).toBe(templates[1]!.content)
    expect(swapTemplate('', 1, 4, templates)).toBe(templates[1]!.content)
  })
  it('never replaces what the user wrote', () => {
    expect(swapTemplate('echo mine\n', 1, 4, templates)).toBe('echo mine\n')
  })
})
