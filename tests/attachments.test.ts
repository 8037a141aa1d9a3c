import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachments, contributions } from '../src/modules/participation/schema.js';
import { contentDisposition, safeFileName, sniffMediaType, zipEntryNames } from '../src/modules/participation/statements/attachments.js';
import { Client, createTestApp, createUser, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';
import { fixture, formToken, postMultipart } from './fixtures/attachments/form.js';

const newPath = `/consultations/${demo.slug}/statements/new`;
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/\s+/g, ' ');

describe('attachment types by content', () => {
  it('recognises PDF, DOCX, ODT and images by their bytes, whatever their name', () => {
    expect(sniffMediaType(fixture('stellungnahme.pdf'))).toBe('application/pdf');
    expect(sniffMediaType(fixture('stellungnahme.docx'))).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(sniffMediaType(fixture('stellungnahme.odt'))).toBe('application/vnd.oasis.opendocument.text');
    expect(sniffMediaType(fixture('pixel.png'))).toBe('image/png');
    expect(sniffMediaType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]))).toBe('image/jpeg');
    expect(sniffMediaType(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'))).toBe('image/gif');
    expect(sniffMediaType(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]))).toBe('image/webp');
  });

  it('refuses text named .pdf, a plain ZIP, HTML and an ODF spreadsheet', () => {
    expect(sniffMediaType(fixture('not-really.pdf'))).toBeNull();
    expect(sniffMediaType(fixture('archiv.zip'))).toBeNull();
    expect(sniffMediaType(Buffer.from('<!doctype html><script>alert(1)</script>'))).toBeNull();
    const ods = Buffer.from(fixture('stellungnahme.odt'));
    ods.write('application/vnd.oasis.opendocument.spreadsheet'.slice(0, 39), 38, 'latin1');
    expect(sniffMediaType(ods)).toBeNull();
    expect(sniffMediaType(Buffer.alloc(0))).toBeNull();
  });

  it('reads the entry names of a ZIP from its central directory', () => {
    expect(zipEntryNames(fixture('stellungnahme.docx'))).toEqual(['[Content_Types].xml', '_rels/.rels', 'word/document.xml']);
    expect(zipEntryNames(Buffer.from('PK\x03\x04 broken', 'latin1'))).toBeNull();
  });

  it('makes safe file names: no folders, no control or direction characters, the real extension, letters of every script', () => {
    expect(safeFileName('C:\\Users\\olena\\Заява.pdf', 'application/pdf')).toBe('Заява.pdf');
    expect(safeFileName('../../etc/passwd', 'application/pdf')).toBe('passwd.pdf');
    expect(safeFileName('scan\u202Efdp.exe', 'application/pdf')).toBe('scanfdp.pdf');
    expect(safeFileName('bild.JPEG', 'image/jpeg')).toBe('bild.JPEG'.replace('JPEG', 'jpeg'));
    expect(safeFileName('...', 'image/png')).toBe('anhang.png');
    expect(safeFileName('رأي المنظمة.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toBe('رأي المنظمة.docx');
    expect(safeFileName(`${'a'.repeat(300)}.pdf`, 'application/pdf')).toHaveLength(114);
  });

  it('names downloads with an ASCII fallback and the UTF-8 name (RFC 5987)', () => {
    expect(contentDisposition('Stellungnahme März.pdf')).toBe(`attachment; filename="Stellungnahme Marz.pdf"; filename*=UTF-8''Stellungnahme%20M%C3%A4rz.pdf`);
    expect(contentDisposition('a"b\\c.pdf')).toBe(`attachment; filename="abc.pdf"; filename*=UTF-8''a%22b%5Cc.pdf`);
  });
});

describe.each(drivers)('attachments on statements [%s]', (driver) => {
  let t: TestApp;
  let guest: Client;

  beforeAll(async () => {
    t = await createTestApp(driver, { ATTACHMENT_MAX_BYTES: '2048', ATTACHMENT_MAX_COUNT: '2', CONTRIBUTIONS_PER_EMAIL_PER_HOUR: '0', CONTRIBUTIONS_PER_ADDRESS_PER_HOUR: '0' });
    await openDemoPhase(t.db, 'post');
    guest = new Client(t.app);
  });
  afterAll(() => t?.close());

  async function submit(files: Array<{ filename: string; content: Buffer | string; type?: string }>, over: Record<string, string> = {}) {
    const token = formToken((await guest.get(newPath)).body);
    return postMultipart(
      t.app,
      guest,
      newPath,
      {
        formToken: token,
        email: 'anhang@example.org',
        title: 'Mit Anhang',
        body: 'Siehe angehängte Datei.',
        language: 'de',
        scope: 'plan',
        privacy: 'yes',
        publishText: 'yes',
        publishName: 'no',
        ...over,
      },
      files,
    );
  }

  const kept = (res: { body: string }) => {
    expect(res.body).toContain('Siehe angehängte Datei.');
    expect(res.body).toContain('value="anhang@example.org"');
    expect(text(res.body)).toContain('Bitte wählen Sie Ihre Anhänge noch einmal aus.');
  };

  it('refuses a text file that calls itself .pdf, naming it, and keeps the text', async () => {
    const res = await submit([{ filename: 'stellungnahme.pdf', content: fixture('not-really.pdf'), type: 'application/pdf' }]);
    expect(res.statusCode).toBe(422);
    expect(text(res.body)).toContain('Die Datei „stellungnahme.pdf“ ist keine PDF-, Word- (DOCX), OpenDocument- (ODT) oder Bilddatei.');
    expect(res.body).toContain('href="#field-attachments"');
    kept(res);
  });

  it('refuses a file over the size limit, saying the limit', async () => {
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(5000, 0x20)]);
    const res = await submit([{ filename: 'gross.pdf', content: big }]);
    expect(res.statusCode).toBe(422);
    expect(text(res.body)).toContain('Die Datei „gross.pdf“ ist zu groß. Jede Datei darf höchstens 2 KB haben.');
    kept(res);
  });

  it('refuses more files than allowed, counting them all', async () => {
    const pdf = fixture('stellungnahme.pdf');
    const res = await submit([1, 2, 3, 4, 5].map((i) => ({ filename: `teil${i}.pdf`, content: pdf })));
    expect(res.statusCode).toBe(422);
    expect(text(res.body)).toContain('Sie haben 5 Dateien ausgewählt. Möglich sind höchstens 2.');
    kept(res);
  });

  it('refuses an empty file', async () => {
    const res = await submit([{ filename: 'leer.pdf', content: Buffer.alloc(0) }]);
    expect(res.statusCode).toBe(422);
    expect(text(res.body)).toContain('Die Datei „leer.pdf“ ist leer.');
    kept(res);
  });

  it('ignores an empty file input (no file chosen)', async () => {
    const res = await submit([{ filename: '', content: Buffer.alloc(0) }]);
    expect(res.statusCode).toBe(303);
  });

  it('stores DOCX and ODT with checksum and serves them byte-identical with safe headers', async () => {
    const docx = fixture('stellungnahme.docx');
    const odt = fixture('stellungnahme.odt');
    const res = await submit([
      { filename: 'Stellungnahme Verein.docx', content: docx, type: 'text/html' },
      { filename: 'anhang.bin', content: odt },
    ]);
    expect(res.statusCode).toBe(303);
    const [row] = await t.db.select().from(contributions).where(eq(contributions.formToken, (res.headers.location as string).split('/').pop()!));
    const files = await t.db.select().from(attachments).where(eq(attachments.contributionId, row!.id));
    expect(files.map((f) => [f.fileName, f.mediaType, f.size])).toEqual([
      ['Stellungnahme Verein.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', docx.length],
      ['anhang.odt', 'application/vnd.oasis.opendocument.text', odt.length],
    ]);
    expect(files[0]?.sha256).toBe(createHash('sha256').update(docx).digest('hex'));

    // The guest's statement is unconfirmed: nobody but staff may download yet.
    const url = `/attachments/${files[0]!.id}/${encodeURIComponent('Stellungnahme Verein.docx')}`;
    expect((await new Client(t.app).get(url)).statusCode).toBe(404);
    await t.db.update(contributions).set({ status: 'published' }).where(eq(contributions.id, row!.id));
    const download = await t.app.inject({ method: 'GET', url });
    expect(download.statusCode).toBe(200);
    expect(Buffer.compare(download.rawPayload, docx)).toBe(0);
    expect(download.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(download.headers['content-disposition']).toBe(`attachment; filename="Stellungnahme Verein.docx"; filename*=UTF-8''Stellungnahme%20Verein.docx`);
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.headers['content-security-policy']).toContain('sandbox');
    expect(download.headers['cache-control']).toMatch(/^private/);
    // The wrong name in the address is not found.
    expect((await t.app.inject({ method: 'GET', url: `/attachments/${files[0]!.id}/other.docx` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/attachments/abc/x.pdf' })).statusCode).toBe(404);
  });

  it('lets moderators and organisers download attachments of statements not published', async () => {
    const res = await submit([{ filename: 'bild.png', content: fixture('pixel.png') }], { publishText: 'no' });
    expect(res.statusCode).toBe(303);
    const [row] = await t.db.select().from(contributions).where(eq(contributions.formToken, (res.headers.location as string).split('/').pop()!));
    await t.db.update(contributions).set({ status: 'published' }).where(eq(contributions.id, row!.id));
    const [file] = await t.db.select().from(attachments).where(eq(attachments.contributionId, row!.id));
    const url = `/attachments/${file!.id}/bild.png`;
    expect((await new Client(t.app).get(url)).statusCode).toBe(404);
    for (const role of ['moderator', 'organiser', 'admin'] as const) {
      await createUser(t.db, `staff-${role}@example.org`, [role]);
      const staff = new Client(t.app);
      await staff.signIn(`staff-${role}@example.org`);
      const dl = await staff.get(url);
      expect(dl.statusCode, role).toBe(200);
      expect(Buffer.compare(dl.rawPayload, fixture('pixel.png'))).toBe(0);
      expect(dl.headers['cache-control']).toBe('private, no-store');
    }
    await createUser(t.db, 'staff-amt@example.org', ['department_editor']);
    const editor = new Client(t.app);
    await editor.signIn('staff-amt@example.org');
    expect((await editor.get(url)).statusCode).toBe(404);
  });
});
