import type { Messages } from '../../../core/i18n.js';

/** Import and export of plan versions: the pages and every message about a file's content. */
export const messages: Messages = {
  de: {
    'plans.transfer.import.title': 'Plan importieren',
    'plans.transfer.import.heading': 'Plan importieren: {label}',
    'plans.transfer.import.context': '{consultation} · Fassung „{label}“ ({status})',
    'plans.transfer.import.back': 'Zur Fassung',
    'plans.transfer.import.intro':
      'Hier laden Sie einen ganzen Plan in einem Schritt: Leitbild, Leitziele, durchgängige Maßnahmen und alle Handlungsfelder mit ihren Zielen und Maßnahmen. Der Import ersetzt den gesamten Inhalt dieser Fassung. Zuerst sehen Sie eine Vorschau; geändert wird erst, wenn Sie den Import bestätigen.',
    'plans.transfer.import.formats':
      'Möglich sind zwei Formate: JSON und eine Markdown-Gliederung, die sich in jedem Texteditor schreiben lässt. Am einfachsten beginnen Sie mit einem Export dieser Fassung.',
    'plans.transfer.import.formatsLink': 'Beschreibung der Formate (Text, englisch)',

    'plans.transfer.current.title': 'Aktueller Inhalt dieser Fassung',
    'plans.transfer.current.empty': 'Diese Fassung hat noch keinen Inhalt.',
    'plans.transfer.current.outline': 'Handlungsfelder dieser Fassung',
    'plans.transfer.table.field': 'Handlungsfeld',
    'plans.transfer.table.goals': 'Ziele',
    'plans.transfer.table.measures': 'Maßnahmen',
    'plans.transfer.table.what': 'Inhalt',
    'plans.transfer.table.count': 'Anzahl',
    'plans.transfer.count.guidingPrinciples': 'Leitbild (Einträge)',
    'plans.transfer.count.strategicGoals': 'Leitziele',
    'plans.transfer.count.crossCuttingMeasures': 'Durchgängige Maßnahmen',
    'plans.transfer.count.fields': 'Handlungsfelder',
    'plans.transfer.count.goals': 'Ziele',
    'plans.transfer.count.measures': 'Maßnahmen insgesamt',

    'plans.transfer.export.title': 'Exportieren',
    'plans.transfer.export.intro':
      'Laden Sie den Inhalt dieser Fassung als Datei herunter: zum Bearbeiten und erneuten Importieren oder zur Weitergabe.',
    'plans.transfer.export.json': 'Als JSON herunterladen',
    'plans.transfer.export.markdown': 'Als Markdown-Gliederung herunterladen',
    'plans.transfer.export.markdownEn': 'Als Markdown-Gliederung mit englischen Überschriften herunterladen',

    'plans.transfer.form.title': 'Datei hochladen oder Text einfügen',
    'plans.transfer.form.file': 'Datei (.json oder .md)',
    'plans.transfer.form.fileHint': 'In UTF-8 gespeichert, höchstens {max}. Wenn Sie eine Datei wählen, wird das Textfeld nicht verwendet.',
    'plans.transfer.form.text': 'Oder den Text einfügen',
    'plans.transfer.form.textHint':
      'Der Inhalt einer JSON-Datei oder einer Markdown-Gliederung. Nach der Vorschau steht hier der gelesene Text, damit Sie Fehler direkt korrigieren können.',
    'plans.transfer.form.format': 'Format',
    'plans.transfer.form.format.auto': 'Automatisch erkennen (JSON beginnt mit einer geschweiften Klammer)',
    'plans.transfer.form.format.json': 'JSON',
    'plans.transfer.form.format.markdown': 'Markdown-Gliederung',
    'plans.transfer.form.submit': 'Vorschau anzeigen',

    'plans.transfer.problems.title': 'Die Datei kann so nicht importiert werden',
    'plans.transfer.problems.intro':
      'Gefundene Fehler: {count}. Am Inhalt der Fassung wurde nichts geändert. Bitte korrigieren Sie die Datei und zeigen Sie die Vorschau erneut an.',
    'plans.transfer.problems.more': '… und {count} weitere Fehler.',
    'plans.transfer.problem.line': 'Zeile {line}',
    'plans.transfer.problem.lineColumn': 'Zeile {line}, Spalte {column}',

    'plans.transfer.preview.title': 'Vorschau',
    'plans.transfer.preview.sourceFile': 'Datei „{name}“, gelesen als {format}. Keine Fehler gefunden.',
    'plans.transfer.preview.sourceText': 'Eingefügter Text, gelesen als {format}. Keine Fehler gefunden.',
    'plans.transfer.preview.table': 'Inhalt jetzt und nach dem Import',
    'plans.transfer.preview.now': 'Jetzt',
    'plans.transfer.preview.after': 'Nach dem Import',
    'plans.transfer.preview.added': 'Neu',
    'plans.transfer.preview.changed': 'Geändert',
    'plans.transfer.preview.removed': 'Entfällt',
    'plans.transfer.preview.replace':
      'Der Import ersetzt den gesamten Inhalt der Fassung „{label}“ ({fields} Handlungsfelder, {goals} Ziele, {measures} Maßnahmen) durch den Inhalt der Datei.',
    'plans.transfer.preview.keys':
      'Handlungsfelder, Ziele und Maßnahmen werden über ihren Schlüssel zugeordnet: Gleicher Schlüssel heißt „derselbe Eintrag“. So bleiben Fassungen vergleichbar.',
    'plans.transfer.preview.fields': 'Handlungsfelder in der Datei',
    'plans.transfer.preview.confirm': 'Importieren und Inhalt ersetzen',
    'plans.transfer.preview.stale':
      'Die Fassung wurde seit der Vorschau geändert. Bitte prüfen Sie die aktualisierte Vorschau und bestätigen Sie den Import erneut.',
    'plans.transfer.flash.imported': 'Der Plan wurde importiert. Der bisherige Inhalt der Fassung wurde ersetzt.',
    'plans.transfer.format.json': 'JSON',
    'plans.transfer.format.markdown': 'Markdown-Gliederung',

    // Where a problem is: items and places in a file
    'plans.transfer.item.field': 'Handlungsfeld {code}',
    'plans.transfer.item.goal': 'Ziel {code}',
    'plans.transfer.item.measure': 'Maßnahme {code}',
    'plans.transfer.item.principle': 'Leitbild/Leitziel Nr. {code}',
    'plans.transfer.item.guidingPrinciple': 'Leitbild, Eintrag {code}',
    'plans.transfer.item.strategicGoal': 'Leitziel {code}',
    'plans.transfer.where.file': 'oberste Ebene der Datei',
    'plans.transfer.where.plan': 'im Objekt „plan“',
    'plans.transfer.prop.key': 'Schlüssel („key“)',
    'plans.transfer.prop.code': 'Nummer („code“)',
    'plans.transfer.prop.text': 'Text („text“)',
    'plans.transfer.prop.title': 'Titel („title“)',
    'plans.transfer.prop.description': 'Beschreibung („description“)',
    'plans.transfer.prop.source': 'Quelle („source“)',
    'plans.transfer.prop.timeframe': 'Zeitraum („timeframe“)',
    'plans.transfer.prop.relatedPapers': 'Vorlagen („relatedPapers“)',
    'plans.transfer.prop.lead': 'Federführung („lead“)',
    'plans.transfer.prop.support': 'Beteiligt („support“)',
    'plans.transfer.prop.committees': 'Gremien („committees“)',
    'plans.transfer.limit.principles': 'Einträge in Leitbild und Leitzielen',
    'plans.transfer.limit.fields': 'Handlungsfelder',
    'plans.transfer.limit.goals': 'Ziele',
    'plans.transfer.limit.measures': 'Maßnahmen',
    'plans.transfer.limit.departmentLinks': 'Zuordnungen von Ämtern zu Maßnahmen',
    'plans.transfer.limit.committeeLinks': 'Zuordnungen von Gremien zu Maßnahmen',

    // The file as a whole
    'plans.transfer.problem.input.none': 'Weder eine Datei gewählt noch Text eingefügt. Erwartet: eine Datei oder der eingefügte Text eines Plans.',
    'plans.transfer.problem.file.empty': 'Die Datei ist leer. Erwartet: ein Plan im JSON-Format oder als Markdown-Gliederung.',
    'plans.transfer.problem.file.tooLarge': 'Die Datei oder der Text ist größer als erlaubt. Erwartet: höchstens {max}.',
    'plans.transfer.problem.file.utf16':
      'Die Datei ist in UTF-16 gespeichert. Erwartet: UTF-8 – speichern Sie sie im Editor mit der Kodierung „UTF-8“.',
    'plans.transfer.problem.file.notUtf8':
      'Die Datei ist nicht in UTF-8 gespeichert: Das Byte {byte} ist in UTF-8 ungültig (vermutlich Windows-1252 oder ISO-8859-1). Erwartet: UTF-8 – speichern Sie die Datei mit der Kodierung „UTF-8“.',
    'plans.transfer.problem.file.binary': 'Das ist keine Textdatei, sondern {kind}. Erwartet: eine JSON- oder Markdown-Datei (.json, .md) in UTF-8.',
    'plans.transfer.binary.pdf': 'ein PDF-Dokument',
    'plans.transfer.binary.office': 'ein Office-Dokument oder ZIP-Archiv (etwa Word oder Excel)',
    'plans.transfer.binary.rtf': 'ein RTF-Dokument',
    'plans.transfer.binary.image': 'ein Bild',
    'plans.transfer.binary.other': 'eine Binärdatei',

    // JSON syntax
    'plans.transfer.problem.json.unexpectedEnd': 'Die Datei endet zu früh. Erwartet: {expected}.',
    'plans.transfer.problem.json.unexpectedChar': 'Unerwartetes Zeichen „{char}“. Erwartet: {expected}.',
    'plans.transfer.problem.json.unexpectedWord':
      'Unerwartetes Wort „{word}“. Erwartet: {expected}. Texte stehen in doppelten Anführungszeichen; true, false und null werden kleingeschrieben.',
    'plans.transfer.problem.json.comment': 'Kommentar gefunden. Erwartet: JSON ohne Kommentare – entfernen Sie „//“ bzw. „/* … */“.',
    'plans.transfer.problem.json.unterminatedString':
      'Der Text, der hier mit einem Anführungszeichen beginnt, wird nicht geschlossen. Erwartet: ein schließendes „"“ in derselben Zeile (Zeilenumbrüche im Text als \\n).',
    'plans.transfer.problem.json.badEscape':
      'Ungültige Escape-Sequenz „{sequence}“. Erwartet: \\" \\\\ \\/ \\b \\f \\n \\r \\t oder \\u mit vier Hexadezimalziffern.',
    'plans.transfer.problem.json.controlChar': 'Steuerzeichen {char} in einem Text. Erwartet: einen Tabulator als \\t, einen Zeilenumbruch als \\n.',
    'plans.transfer.problem.json.badNumber': 'Ungültige Zahl „{text}“. Erwartet: eine Zahl wie 1 oder 2.5.',
    'plans.transfer.problem.json.tooDeep':
      'Zu tief verschachtelt (mehr als {max} Ebenen). Erwartet: die Gliederung Plan → Handlungsfelder → Ziele → Maßnahmen.',
    'plans.transfer.problem.json.trailingComma': 'Komma vor „{char}“. Erwartet: nach dem letzten Eintrag kein Komma.',
    'plans.transfer.problem.json.singleQuote': 'Einfache Anführungszeichen. Erwartet: Namen und Texte in doppelten Anführungszeichen (").',
    'plans.transfer.problem.json.unquotedName': 'Name ohne Anführungszeichen. Erwartet: Namen in doppelten Anführungszeichen, z. B. "text".',
    'plans.transfer.problem.json.duplicateMember': '„{name}“ steht in diesem Objekt zweimal (zuerst in Zeile {first}). Erwartet: jeden Namen nur einmal.',
    'plans.transfer.expect.value': 'ein Wert – Text in doppelten Anführungszeichen, Zahl, true, false, null, Objekt oder Liste',
    'plans.transfer.expect.memberName': 'ein Name in doppelten Anführungszeichen',
    'plans.transfer.expect.colon': 'ein Doppelpunkt nach dem Namen',
    'plans.transfer.expect.commaOrCloseObject': 'ein Komma vor der nächsten Angabe oder „}“ am Ende des Objekts',
    'plans.transfer.expect.commaOrCloseArray': 'ein Komma vor dem nächsten Eintrag oder „]“ am Ende der Liste',
    'plans.transfer.expect.end': 'das Ende der Datei nach der letzten schließenden Klammer',

    // JSON content
    'plans.transfer.problem.json.notObject':
      'Die Datei enthält kein JSON-Objekt. Erwartet: ein Objekt mit „format“: "mitsprache-plan", „version“: 1 und „plan“.',
    'plans.transfer.problem.json.missing': '„{name}“ fehlt ({where}). Erwartet: {expected}.',
    'plans.transfer.problem.json.wrongType': '„{name}“ hat den falschen Typ: {found} ({where}). Erwartet: {expected}.',
    'plans.transfer.problem.json.unknownMember': 'Unbekannte Angabe „{name}“ ({where}). Erwartet: eine von {allowed}.',
    'plans.transfer.problem.json.badFormat': '„format“ ist „{found}“. Erwartet: "mitsprache-plan".',
    'plans.transfer.problem.json.badVersion': 'Formatversion „{found}“ wird nicht unterstützt. Erwartet: {supported}.',
    'plans.transfer.problem.json.badKind': 'Unbekannte Art „{found}“. Erwartet: "guiding_principle" (Leitbild) oder "strategic_goal" (Leitziel).',
    'plans.transfer.problem.json.badCharacter': '„{name}“ enthält ein unzulässiges Zeichen ({where}). Erwartet: Text ohne Nullzeichen und ohne halbe Unicode-Zeichenpaare.',
    'plans.transfer.type.string': 'Text in doppelten Anführungszeichen',
    'plans.transfer.type.number': 'Zahl',
    'plans.transfer.type.boolean': 'true oder false',
    'plans.transfer.type.null': 'null',
    'plans.transfer.type.object': 'Objekt { … }',
    'plans.transfer.type.array': 'Liste [ … ]',
    'plans.transfer.type.stringOrNull': 'Text in doppelten Anführungszeichen oder null',
    'plans.transfer.type.stringList': 'eine Liste von Texten, z. B. ["jugendamt"]',
    'plans.transfer.type.objectList': 'eine Liste von Objekten [ { … } ]',
    'plans.transfer.type.formatName': '"mitsprache-plan"',
    'plans.transfer.type.formatVersion': 'die Zahl 1',
    'plans.transfer.type.principleKind': '"guiding_principle" oder "strategic_goal"',

    // Markdown structure
    'plans.transfer.problem.md.headingSpace': 'Nach „#“ fehlt ein Leerzeichen: „{found}“. Erwartet: z. B. „# Leitbild“ oder „## Handlungsfeld 1: Sprache“.',
    'plans.transfer.problem.md.unknownSection':
      'Unbekannter Abschnitt „{found}“. Erwartet: # Leitbild, # Leitziele, # Durchgängige Maßnahmen oder # Handlungsfelder (oder englisch: Guiding principle, Strategic goals, Cross-cutting measures, Fields of action).',
    'plans.transfer.problem.md.badFieldHeading':
      'Die Überschrift „{found}“ ist kein Handlungsfeld. Erwartet: „## Handlungsfeld Nummer: Titel“ mit optionalem Schlüssel, z. B. „## Handlungsfeld 1: Sprache {#f-sprache}“.',
    'plans.transfer.problem.md.badGoalHeading':
      'Die Überschrift „{found}“ ist kein Ziel. Erwartet: „### Ziel Nummer“ mit optionalem Schlüssel, z. B. „### Ziel 1.1 {#g-kurse}“; der Zieltext folgt darunter.',
    'plans.transfer.problem.md.headingTooDeep':
      'Überschrift „{found}“ auf Ebene 4 oder tiefer. Erwartet: # für Abschnitte, ## für Handlungsfelder, ### für Ziele; Maßnahmen sind Listeneinträge („- Maßnahme …“).',
    'plans.transfer.problem.md.wrongLevel': 'Falsche Überschriftenebene „{found}“ für {what}. Erwartet: „{expected}“.',
    'plans.transfer.md.what.section': 'einen Abschnitt',
    'plans.transfer.md.what.field': 'ein Handlungsfeld',
    'plans.transfer.md.what.goal': 'ein Ziel',
    'plans.transfer.problem.md.measureAsHeading':
      'Maßnahme als Überschrift („{found}“). Erwartet: ein Listeneintrag wie „- Maßnahme 1.1.1 {#m-kurse}: Text“ unter einem Ziel.',
    'plans.transfer.problem.md.goalOutsideField': 'Ziel ohne Handlungsfeld. Erwartet: zuerst „## Handlungsfeld Nummer: Titel“, darunter die Ziele.',
    'plans.transfer.problem.md.beforeSection':
      'Inhalt vor der ersten Überschrift. Erwartet: zuerst eine Überschrift wie „# Leitbild“ oder „## Handlungsfeld 1: Sprache“.',
    'plans.transfer.problem.md.measureOutsideGoal':
      'Maßnahme außerhalb eines Ziels. Erwartet: davor eine Zielüberschrift „### Ziel Nummer“; durchgängige Maßnahmen stehen unter „# Durchgängige Maßnahmen“.',
    'plans.transfer.problem.md.badMeasureItem':
      'Der Listeneintrag „{found}“ ist keine Maßnahme. Erwartet: „- Maßnahme Nummer: Text“ mit optionalem Schlüssel, z. B. „- Maßnahme 1.1.1 {#m-kurse}: Ausbau der Sprachkurse“.',
    'plans.transfer.problem.md.unknownAttribute':
      'Unbekannte Angabe „{name}“. Erwartet: {expected}. Gehört die Zeile zum Text, beginnen Sie sie mit einem Backslash (\\).',
    'plans.transfer.md.attributes.measure':
      'Zeitraum, Vorlagen, Federführung, Beteiligt, Gremien oder Beispiel (englisch: Timeframe, Papers, Lead, Involved, Committees, Example)',
    'plans.transfer.md.attributes.principle': 'Quelle (englisch: Source)',
    'plans.transfer.problem.md.duplicateAttribute':
      'Die Angabe „{name}“ steht schon in Zeile {first}. Erwartet: jede Angabe nur einmal je Eintrag; mehrere Werte mit Komma trennen.',
    'plans.transfer.problem.md.emptyAttribute': 'Die Angabe „{name}“ hat keinen Wert. Erwartet: „{name}: Wert“ – oder lassen Sie die Zeile weg.',
    'plans.transfer.problem.md.badFlag': '„{name}: {value}“ ist ungültig. Erwartet: ja oder nein (englisch: yes oder no).',
    'plans.transfer.problem.md.missingColon':
      'Nach „{name}“ fehlt der Doppelpunkt. Erwartet: „{name}: Wert“. Gehört die Zeile zum Text, beginnen Sie sie mit einem Backslash (\\).',
    'plans.transfer.problem.md.textAfterAttributes':
      'Text nach den Angaben eines Eintrags. Erwartet: zuerst der ganze Text (Fortsetzungszeilen eingerückt), danach Angaben wie „Federführung: …“.',
    'plans.transfer.problem.md.unindentedLine':
      'Diese Zeile ist nicht eingerückt und gehört zu keinem Eintrag. Erwartet: Fortsetzungen und Angaben mit zwei Leerzeichen einrücken; ein neuer Eintrag beginnt mit „- “.',
    'plans.transfer.problem.md.textAfterMeasures':
      'Text zwischen den Maßnahmen eines Ziels. Erwartet: der Zieltext direkt unter „### Ziel …“ vor der ersten Maßnahme; Angaben zu einer Maßnahme eingerückt.',
    'plans.transfer.problem.md.textOutsideField':
      'Text außerhalb eines Handlungsfelds. Erwartet: „## Handlungsfeld Nummer: Titel“; die Beschreibung folgt unter dieser Überschrift.',
    'plans.transfer.problem.md.expectedListItem': 'Text ohne Listenzeichen. Erwartet: jeden Eintrag als Listeneintrag, der mit „- “ beginnt.',
    'plans.transfer.problem.md.unexpectedIndent':
      'Eingerückte Zeile ohne Eintrag darüber. Erwartet: eingerückte Angaben nur direkt unter einem Listeneintrag wie „- Maßnahme …“.',

    // Content, in both formats
    'plans.transfer.problem.plan.empty': '{item}: {name} ist leer. Erwartet: einen Text.',
    'plans.transfer.problem.plan.tooLong': '{item}: {name} ist {length} Zeichen lang. Erwartet: höchstens {max} Zeichen.',
    'plans.transfer.problem.plan.multiline': '{item}: {name} enthält einen Zeilenumbruch. Erwartet: eine einzige Zeile.',
    'plans.transfer.problem.plan.badCode':
      '{item}: Die Nummer „{value}“ ist ungültig. Erwartet: höchstens {max} Zeichen ohne Leerzeichen, Doppelpunkt und geschweifte Klammern, z. B. „1.2.3“ oder „D.1“.',
    'plans.transfer.problem.plan.badKey':
      '{item}: Der Schlüssel „{value}“ ist ungültig. Erwartet: höchstens {max} Zeichen aus Buchstaben a–z, Ziffern, Bindestrich, Unterstrich und Punkt, am Anfang ein Buchstabe oder eine Ziffer.',
    'plans.transfer.problem.plan.duplicateKey':
      '{item}: Der Schlüssel „{value}“ ist schon in Zeile {first} vergeben. Erwartet: jeden Schlüssel nur einmal (je unter Handlungsfeldern, Zielen und Maßnahmen).',
    'plans.transfer.problem.plan.badSlug':
      '{item}: „{value}“ unter {name} ist kein gültiges Kürzel. Erwartet: Kleinbuchstaben, Ziffern und Bindestriche, z. B. „jugendamt“.',
    'plans.transfer.problem.plan.duplicateEntry': '{item}: „{value}“ steht zweimal unter {name}. Erwartet: jeden Eintrag nur einmal.',
    'plans.transfer.problem.plan.leadAndSupport':
      '{item}: „{value}“ ist zugleich federführend und beteiligt. Erwartet: jedes Amt in nur einer der beiden Rollen.',
    'plans.transfer.problem.plan.badPaper':
      '{item}: Die Vorlage „{value}“ ist ungültig. Erwartet: eine Vorlagennummer mit höchstens {max} Zeichen, ohne Komma und Semikolon, z. B. „A0391/17“.',
    'plans.transfer.problem.plan.tooManyEntries': '{item}: {name} hat zu viele Einträge. Erwartet: höchstens {max}.',
    'plans.transfer.problem.plan.tooMany': 'Zu viele {what}. Erwartet: höchstens {max} je Fassung.',
    'plans.transfer.problem.plan.unknownDepartment':
      '{item}: Das Amt „{value}“ unter {name} ist nicht angelegt. Erwartet: das Kürzel eines angelegten Amts oder Eigenbetriebs.',
    'plans.transfer.problem.plan.unknownDepartmentSuggest':
      '{item}: Das Amt „{value}“ unter {name} ist nicht angelegt – meinten Sie „{suggestion}“? Erwartet: das Kürzel eines angelegten Amts oder Eigenbetriebs.',
    'plans.transfer.problem.plan.unknownCommittee':
      '{item}: Das Gremium „{value}“ ist nicht angelegt. Erwartet: das Kürzel eines angelegten Gremiums.',
    'plans.transfer.problem.plan.unknownCommitteeSuggest':
      '{item}: Das Gremium „{value}“ ist nicht angelegt – meinten Sie „{suggestion}“? Erwartet: das Kürzel eines angelegten Gremiums.',
  },
  en: {
    'plans.transfer.import.title': 'Import a plan',
    'plans.transfer.import.heading': 'Import a plan: {label}',
    'plans.transfer.import.context': '{consultation} · version “{label}” ({status})',
    'plans.transfer.import.back': 'Back to the version',
    'plans.transfer.import.intro':
      'Load a whole plan in one step: guiding principle, strategic goals, cross-cutting measures and every field of action with its goals and measures. The import replaces the entire content of this version. You see a preview first; nothing changes until you confirm the import.',
    'plans.transfer.import.formats':
      'Two formats are possible: JSON and a Markdown outline that can be written in any text editor. The easiest start is an export of this version.',
    'plans.transfer.import.formatsLink': 'Description of the formats (plain text)',

    'plans.transfer.current.title': 'Current content of this version',
    'plans.transfer.current.empty': 'This version has no content yet.',
    'plans.transfer.current.outline': 'Fields of action of this version',
    'plans.transfer.table.field': 'Field of action',
    'plans.transfer.table.goals': 'Goals',
    'plans.transfer.table.measures': 'Measures',
    'plans.transfer.table.what': 'Content',
    'plans.transfer.table.count': 'Number',
    'plans.transfer.count.guidingPrinciples': 'Guiding principle (entries)',
    'plans.transfer.count.strategicGoals': 'Strategic goals',
    'plans.transfer.count.crossCuttingMeasures': 'Cross-cutting measures',
    'plans.transfer.count.fields': 'Fields of action',
    'plans.transfer.count.goals': 'Goals',
    'plans.transfer.count.measures': 'Measures in total',

    'plans.transfer.export.title': 'Export',
    'plans.transfer.export.intro': 'Download the content of this version as a file: to edit and import it again, or to pass it on.',
    'plans.transfer.export.json': 'Download as JSON',
    'plans.transfer.export.markdown': 'Download as Markdown outline',
    'plans.transfer.export.markdownEn': 'Download as Markdown outline with English headings',

    'plans.transfer.form.title': 'Upload a file or paste the text',
    'plans.transfer.form.file': 'File (.json or .md)',
    'plans.transfer.form.fileHint': 'Saved as UTF-8, at most {max}. If you choose a file, the text field is not used.',
    'plans.transfer.form.text': 'Or paste the text',
    'plans.transfer.form.textHint':
      'The content of a JSON file or a Markdown outline. After the preview this field holds the text that was read, so you can correct mistakes right here.',
    'plans.transfer.form.format': 'Format',
    'plans.transfer.form.format.auto': 'Detect automatically (JSON starts with a curly bracket)',
    'plans.transfer.form.format.json': 'JSON',
    'plans.transfer.form.format.markdown': 'Markdown outline',
    'plans.transfer.form.submit': 'Show preview',

    'plans.transfer.problems.title': 'The file cannot be imported like this',
    'plans.transfer.problems.intro':
      'Problems found: {count}. Nothing in this version was changed. Please correct the file and show the preview again.',
    'plans.transfer.problems.more': '… and {count} more problems.',
    'plans.transfer.problem.line': 'Line {line}',
    'plans.transfer.problem.lineColumn': 'Line {line}, column {column}',

    'plans.transfer.preview.title': 'Preview',
    'plans.transfer.preview.sourceFile': 'File “{name}”, read as {format}. No problems found.',
    'plans.transfer.preview.sourceText': 'Pasted text, read as {format}. No problems found.',
    'plans.transfer.preview.table': 'Content now and after the import',
    'plans.transfer.preview.now': 'Now',
    'plans.transfer.preview.after': 'After the import',
    'plans.transfer.preview.added': 'New',
    'plans.transfer.preview.changed': 'Changed',
    'plans.transfer.preview.removed': 'Removed',
    'plans.transfer.preview.replace':
      'The import replaces the entire content of version “{label}” ({fields} fields of action, {goals} goals, {measures} measures) with the content of the file.',
    'plans.transfer.preview.keys':
      'Fields of action, goals and measures are matched by their key: the same key means “the same entry”. This keeps versions comparable.',
    'plans.transfer.preview.fields': 'Fields of action in the file',
    'plans.transfer.preview.confirm': 'Import and replace the content',
    'plans.transfer.preview.stale': 'The version was changed after the preview. Please check the updated preview and confirm the import again.',
    'plans.transfer.flash.imported': 'The plan was imported. The previous content of the version was replaced.',
    'plans.transfer.format.json': 'JSON',
    'plans.transfer.format.markdown': 'Markdown outline',

    'plans.transfer.item.field': 'Field of action {code}',
    'plans.transfer.item.goal': 'Goal {code}',
    'plans.transfer.item.measure': 'Measure {code}',
    'plans.transfer.item.principle': 'Guiding principle/strategic goal no. {code}',
    'plans.transfer.item.guidingPrinciple': 'Guiding principle, entry {code}',
    'plans.transfer.item.strategicGoal': 'Strategic goal {code}',
    'plans.transfer.where.file': 'top level of the file',
    'plans.transfer.where.plan': 'in the object “plan”',
    'plans.transfer.prop.key': 'key',
    'plans.transfer.prop.code': 'number (“code”)',
    'plans.transfer.prop.text': 'text',
    'plans.transfer.prop.title': 'title',
    'plans.transfer.prop.description': 'description',
    'plans.transfer.prop.source': 'source',
    'plans.transfer.prop.timeframe': 'timeframe',
    'plans.transfer.prop.relatedPapers': 'council papers (“relatedPapers”)',
    'plans.transfer.prop.lead': 'lead',
    'plans.transfer.prop.support': 'involved (“support”)',
    'plans.transfer.prop.committees': 'committees',
    'plans.transfer.limit.principles': 'entries in guiding principle and strategic goals',
    'plans.transfer.limit.fields': 'fields of action',
    'plans.transfer.limit.goals': 'goals',
    'plans.transfer.limit.measures': 'measures',
    'plans.transfer.limit.departmentLinks': 'departments assigned to measures',
    'plans.transfer.limit.committeeLinks': 'committees assigned to measures',

    'plans.transfer.problem.input.none': 'No file chosen and no text pasted. Expected: a file or the pasted text of a plan.',
    'plans.transfer.problem.file.empty': 'The file is empty. Expected: a plan in JSON or as a Markdown outline.',
    'plans.transfer.problem.file.tooLarge': 'The file or text is larger than allowed. Expected: at most {max}.',
    'plans.transfer.problem.file.utf16': 'The file is saved as UTF-16. Expected: UTF-8 – save it in your editor with the encoding “UTF-8”.',
    'plans.transfer.problem.file.notUtf8':
      'The file is not saved as UTF-8: byte {byte} is not valid UTF-8 (probably Windows-1252 or ISO-8859-1). Expected: UTF-8 – save the file with the encoding “UTF-8”.',
    'plans.transfer.problem.file.binary': 'This is not a text file but {kind}. Expected: a JSON or Markdown file (.json, .md) in UTF-8.',
    'plans.transfer.binary.pdf': 'a PDF document',
    'plans.transfer.binary.office': 'an office document or ZIP archive (such as Word or Excel)',
    'plans.transfer.binary.rtf': 'an RTF document',
    'plans.transfer.binary.image': 'an image',
    'plans.transfer.binary.other': 'a binary file',

    'plans.transfer.problem.json.unexpectedEnd': 'The file ends too early. Expected: {expected}.',
    'plans.transfer.problem.json.unexpectedChar': 'Unexpected character “{char}”. Expected: {expected}.',
    'plans.transfer.problem.json.unexpectedWord':
      'Unexpected word “{word}”. Expected: {expected}. Texts stand in double quotes; true, false and null are written in lower case.',
    'plans.transfer.problem.json.comment': 'Comment found. Expected: JSON without comments – remove “//” or “/* … */”.',
    'plans.transfer.problem.json.unterminatedString':
      'The text that starts with a quote here is not closed. Expected: a closing “"” on the same line (line breaks in a text as \\n).',
    'plans.transfer.problem.json.badEscape':
      'Invalid escape sequence “{sequence}”. Expected: \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\u with four hexadecimal digits.',
    'plans.transfer.problem.json.controlChar': 'Control character {char} in a text. Expected: a tab as \\t, a line break as \\n.',
    'plans.transfer.problem.json.badNumber': 'Invalid number “{text}”. Expected: a number such as 1 or 2.5.',
    'plans.transfer.problem.json.tooDeep': 'Nested too deeply (more than {max} levels). Expected: the outline plan → fields of action → goals → measures.',
    'plans.transfer.problem.json.trailingComma': 'Comma before “{char}”. Expected: no comma after the last entry.',
    'plans.transfer.problem.json.singleQuote': 'Single quotes. Expected: names and texts in double quotes (").',
    'plans.transfer.problem.json.unquotedName': 'Name without quotes. Expected: names in double quotes, e.g. "text".',
    'plans.transfer.problem.json.duplicateMember': '“{name}” appears twice in this object (first on line {first}). Expected: each name once.',
    'plans.transfer.expect.value': 'a value – text in double quotes, number, true, false, null, object or list',
    'plans.transfer.expect.memberName': 'a name in double quotes',
    'plans.transfer.expect.colon': 'a colon after the name',
    'plans.transfer.expect.commaOrCloseObject': 'a comma before the next entry or “}” at the end of the object',
    'plans.transfer.expect.commaOrCloseArray': 'a comma before the next entry or “]” at the end of the list',
    'plans.transfer.expect.end': 'the end of the file after the last closing bracket',

    'plans.transfer.problem.json.notObject':
      'The file does not contain a JSON object. Expected: an object with “format”: "mitsprache-plan", “version”: 1 and “plan”.',
    'plans.transfer.problem.json.missing': '“{name}” is missing ({where}). Expected: {expected}.',
    'plans.transfer.problem.json.wrongType': '“{name}” has the wrong type: {found} ({where}). Expected: {expected}.',
    'plans.transfer.problem.json.unknownMember': 'Unknown entry “{name}” ({where}). Expected: one of {allowed}.',
    'plans.transfer.problem.json.badFormat': '“format” is “{found}”. Expected: "mitsprache-plan".',
    'plans.transfer.problem.json.badVersion': 'Format version “{found}” is not supported. Expected: {supported}.',
    'plans.transfer.problem.json.badKind': 'Unknown kind “{found}”. Expected: "guiding_principle" or "strategic_goal".',
    'plans.transfer.problem.json.badCharacter': '“{name}” contains a character that is not allowed ({where}). Expected: text without NUL characters or half surrogate pairs.',
    'plans.transfer.type.string': 'text in double quotes',
    'plans.transfer.type.number': 'number',
    'plans.transfer.type.boolean': 'true or false',
    'plans.transfer.type.null': 'null',
    'plans.transfer.type.object': 'object { … }',
    'plans.transfer.type.array': 'list [ … ]',
    'plans.transfer.type.stringOrNull': 'text in double quotes or null',
    'plans.transfer.type.stringList': 'a list of texts, e.g. ["jugendamt"]',
    'plans.transfer.type.objectList': 'a list of objects [ { … } ]',
    'plans.transfer.type.formatName': '"mitsprache-plan"',
    'plans.transfer.type.formatVersion': 'the number 1',
    'plans.transfer.type.principleKind': '"guiding_principle" or "strategic_goal"',

    'plans.transfer.problem.md.headingSpace': 'A space is missing after “#”: “{found}”. Expected: e.g. “# Guiding principle” or “## Field of action 1: Language”.',
    'plans.transfer.problem.md.unknownSection':
      'Unknown section “{found}”. Expected: # Guiding principle, # Strategic goals, # Cross-cutting measures or # Fields of action (or in German: Leitbild, Leitziele, Durchgängige Maßnahmen, Handlungsfelder).',
    'plans.transfer.problem.md.badFieldHeading':
      'The heading “{found}” is not a field of action. Expected: “## Field of action number: title” with an optional key, e.g. “## Field of action 1: Language {#f-language}”.',
    'plans.transfer.problem.md.badGoalHeading':
      'The heading “{found}” is not a goal. Expected: “### Goal number” with an optional key, e.g. “### Goal 1.1 {#g-courses}”; the goal’s text follows below.',
    'plans.transfer.problem.md.headingTooDeep':
      'Heading “{found}” at level 4 or deeper. Expected: # for sections, ## for fields of action, ### for goals; measures are list items (“- Measure …”).',
    'plans.transfer.problem.md.wrongLevel': 'Wrong heading level “{found}” for {what}. Expected: “{expected}”.',
    'plans.transfer.md.what.section': 'a section',
    'plans.transfer.md.what.field': 'a field of action',
    'plans.transfer.md.what.goal': 'a goal',
    'plans.transfer.problem.md.measureAsHeading':
      'Measure written as a heading (“{found}”). Expected: a list item such as “- Measure 1.1.1 {#m-courses}: text” under a goal.',
    'plans.transfer.problem.md.goalOutsideField': 'Goal without a field of action. Expected: first “## Field of action number: title”, then its goals.',
    'plans.transfer.problem.md.beforeSection':
      'Content before the first heading. Expected: a heading first, such as “# Guiding principle” or “## Field of action 1: Language”.',
    'plans.transfer.problem.md.measureOutsideGoal':
      'Measure outside a goal. Expected: a goal heading “### Goal number” before it; cross-cutting measures stand under “# Cross-cutting measures”.',
    'plans.transfer.problem.md.badMeasureItem':
      'The list item “{found}” is not a measure. Expected: “- Measure number: text” with an optional key, e.g. “- Measure 1.1.1 {#m-courses}: More language courses”.',
    'plans.transfer.problem.md.unknownAttribute':
      'Unknown attribute “{name}”. Expected: {expected}. If the line belongs to the text, start it with a backslash (\\).',
    'plans.transfer.md.attributes.measure': 'Timeframe, Papers, Lead, Involved, Committees or Example (in German: Zeitraum, Vorlagen, Federführung, Beteiligt, Gremien, Beispiel)',
    'plans.transfer.md.attributes.principle': 'Source (in German: Quelle)',
    'plans.transfer.problem.md.duplicateAttribute':
      'The attribute “{name}” already appears on line {first}. Expected: each attribute once per entry; separate several values with commas.',
    'plans.transfer.problem.md.emptyAttribute': 'The attribute “{name}” has no value. Expected: “{name}: value” – or leave the line out.',
    'plans.transfer.problem.md.badFlag': '“{name}: {value}” is not valid. Expected: yes or no (in German: ja or nein).',
    'plans.transfer.problem.md.missingColon':
      'The colon after “{name}” is missing. Expected: “{name}: value”. If the line belongs to the text, start it with a backslash (\\).',
    'plans.transfer.problem.md.textAfterAttributes':
      'Text after the attributes of an entry. Expected: the whole text first (continuation lines indented), then attributes such as “Lead: …”.',
    'plans.transfer.problem.md.unindentedLine':
      'This line is not indented and belongs to no entry. Expected: continuation lines and attributes indented by two spaces; a new entry starts with “- ”.',
    'plans.transfer.problem.md.textAfterMeasures':
      'Text between the measures of a goal. Expected: the goal’s text right under “### Goal …” before the first measure; a measure’s attributes indented.',
    'plans.transfer.problem.md.textOutsideField':
      'Text outside a field of action. Expected: “## Field of action number: title”; its description follows under that heading.',
    'plans.transfer.problem.md.expectedListItem': 'Text without a list marker. Expected: each entry as a list item starting with “- ”.',
    'plans.transfer.problem.md.unexpectedIndent':
      'Indented line without an entry above it. Expected: indented attributes only directly under a list item such as “- Measure …”.',

    'plans.transfer.problem.plan.empty': '{item}: the {name} is empty. Expected: a text.',
    'plans.transfer.problem.plan.tooLong': '{item}: the {name} is {length} characters long. Expected: at most {max} characters.',
    'plans.transfer.problem.plan.multiline': '{item}: the {name} contains a line break. Expected: a single line.',
    'plans.transfer.problem.plan.badCode':
      '{item}: the number “{value}” is not valid. Expected: at most {max} characters without spaces, colons and curly brackets, e.g. “1.2.3” or “D.1”.',
    'plans.transfer.problem.plan.badKey':
      '{item}: the key “{value}” is not valid. Expected: at most {max} characters from letters a–z, digits, hyphen, underscore and full stop, starting with a letter or digit.',
    'plans.transfer.problem.plan.duplicateKey':
      '{item}: the key “{value}” is already used on line {first}. Expected: each key once (among fields of action, goals and measures each).',
    'plans.transfer.problem.plan.badSlug':
      '{item}: “{value}” under {name} is not a valid short name. Expected: lower-case letters, digits and hyphens, e.g. “jugendamt”.',
    'plans.transfer.problem.plan.duplicateEntry': '{item}: “{value}” appears twice under {name}. Expected: each entry once.',
    'plans.transfer.problem.plan.leadAndSupport': '{item}: “{value}” is both lead and involved. Expected: each department in one of the two roles only.',
    'plans.transfer.problem.plan.badPaper':
      '{item}: the council paper “{value}” is not valid. Expected: a paper reference of at most {max} characters without commas and semicolons, e.g. “A0391/17”.',
    'plans.transfer.problem.plan.tooManyEntries': '{item}: the {name} has too many entries. Expected: at most {max}.',
    'plans.transfer.problem.plan.tooMany': 'Too many {what}. Expected: at most {max} per version.',
    'plans.transfer.problem.plan.unknownDepartment':
      '{item}: the department “{value}” under {name} does not exist. Expected: the short name of an existing department or municipal enterprise.',
    'plans.transfer.problem.plan.unknownDepartmentSuggest':
      '{item}: the department “{value}” under {name} does not exist – did you mean “{suggestion}”? Expected: the short name of an existing department or municipal enterprise.',
    'plans.transfer.problem.plan.unknownCommittee': '{item}: the committee “{value}” does not exist. Expected: the short name of an existing committee.',
    'plans.transfer.problem.plan.unknownCommitteeSuggest':
      '{item}: the committee “{value}” does not exist – did you mean “{suggestion}”? Expected: the short name of an existing committee.',
  },
};
