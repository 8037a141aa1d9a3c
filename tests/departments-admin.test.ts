import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../src/app.js';
import { auditEntries } from '../src/modules/audit/schema.js';
import { committees, departmentMembers, departments } from '../src/modules/departments/schema.js';
import { consultations, measureCommittees, measureDepartments, measures, planVersions } from '../src/modules/plans/schema.js';
import { Client, createTestApp, createUser, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';

const de = catalogue.translator('de');
const text = (html: string) =>
  html.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\s+/g, ' ');
const said = (html: string, message: string) => text(html).includes(message);

describe.each(drivers)('departments and committees in the administration [%s]', (driver) => {
  let t: TestApp;
  let admin: Client;
  let adminId: string;

  beforeAll(async () => {
    t = await createTestApp(driver);
    adminId = await createUser(t.db, 'admin@example.org', ['admin'], 'Admina');
    admin = new Client(t.app);
    await admin.signIn('admin@example.org');
  });
  afterAll(() => t?.close());

  const auditOf = (type: string, id: number) =>
    t.db.select().from(auditEntries).where(and(eq(auditEntries.subjectType, type), eq(auditEntries.subjectId, String(id)))).orderBy(asc(auditEntries.id));

  it('lists departments and committees, empty at first, with links between the admin pages', async () => {
    const res = await admin.get('/admin/departments');
    expect(res.statusCode).toBe(200);
    expect(said(res.body, de('departments.list.empty.department'))).toBe(true);
    for (const href of ['/admin/users', '/admin/committees', '/admin/departments/new']) expect(res.body).toContain(`href="${href}"`);
    const committeesPage = await admin.get('/admin/committees');
    expect(said(committeesPage.body, de('departments.list.empty.committee'))).toBe(true);
    // The organiser overview offers the administration to admins.
    expect((await admin.get('/organiser/consultations')).body).toContain('href="/admin/departments"');
  });

  it('creates a department, making the slug from the name when left empty', async () => {
    const form = await admin.get('/admin/departments/new');
    expect(form.statusCode).toBe(200);
    const res = await admin.post('/admin/departments/new', { name: 'Amt für Schulen', shortName: 'Schulamt', kind: 'department', slug: '' });
    expect(res.statusCode).toBe(303);
    const [row] = await t.db.select().from(departments);
    expect(row).toMatchObject({ name: 'Amt für Schulen', shortName: 'Schulamt', kind: 'department', slug: 'amt-fuer-schulen' });
    expect(res.headers.location).toBe(`/admin/departments#department-${row!.id}`);
    const list = await admin.get('/admin/departments');
    expect(said(list.body, de('departments.flash.created'))).toBe(true);
    expect(list.body).toContain('Amt für Schulen');
    expect((await auditOf('department', row!.id))[0]).toMatchObject({ action: 'department.created', actorId: adminId, after: { slug: 'amt-fuer-schulen' } });
    await admin.post('/admin/departments/new', { name: 'Eigenbetrieb Kindertageseinrichtungen', shortName: '', kind: 'enterprise', slug: 'eb-kita' });
    expect((await t.db.select().from(departments).where(eq(departments.slug, 'eb-kita')))[0]).toMatchObject({ shortName: null, kind: 'enterprise' });
  });

  it('refuses invalid departments with a message per field, keeping what was typed', async () => {
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ name: '' }, 'name', de('departments.errors.nameRequired')],
      [{ slug: 'Groß Buchstaben' }, 'slug', de('departments.errors.slugFormat')],
      [{ slug: 'amt-fuer-schulen' }, 'slug', de('departments.errors.slugTaken', { slug: 'amt-fuer-schulen' })],
      [{ name: 'Amt für Schulen', slug: '' }, 'name', de('departments.errors.slugTaken', { slug: 'amt-fuer-schulen' })],
      [{ kind: 'ministry' }, 'kind', de('editor.errors.choose')],
      [{ shortName: 'k'.repeat(61) }, 'shortName', de('editor.errors.tooLong', { max: 60 })],
    ];
    for (const [change, name, message] of cases) {
      const res = await admin.post('/admin/departments/new', { name: 'Sozialamt', shortName: 'Kurz bleibt', kind: 'department', slug: 'sozialamt', ...change });
      expect(res.statusCode, JSON.stringify(change)).toBe(422);
      expect(said(res.body, message), message).toBe(true);
      expect(res.body).toContain(`href="#field-${name}"`);
      if (!('shortName' in change)) expect(res.body).toContain('value="Kurz bleibt"');
    }
    expect(await t.db.select().from(departments).where(eq(departments.slug, 'sozialamt'))).toEqual([]);
  });

  it('edits a department and records before and after', async () => {
    const [row] = await t.db.select().from(departments).where(eq(departments.slug, 'amt-fuer-schulen'));
    const form = await admin.get(`/admin/departments/${row!.id}/edit`);
    expect(form.body).toContain('value="Schulamt"');
    const res = await admin.post(`/admin/departments/${row!.id}/edit`, { name: 'Schulverwaltungsamt', shortName: 'Schulamt', kind: 'office', slug: 'amt-fuer-schulen' });
    expect(res.statusCode).toBe(303);
    const audit = (await auditOf('department', row!.id)).at(-1)!;
    expect(audit).toMatchObject({ action: 'department.updated', before: { name: 'Amt für Schulen', kind: 'department' }, after: { name: 'Schulverwaltungsamt', kind: 'office' } });
    const history = text((await admin.get(`/organiser/audit/department/${row!.id}`)).body);
    expect(history).toContain('Amt für Schulen');
    expect(history).toContain('Schulverwaltungsamt');
    expect(history).toContain('Büro, Stabsstelle');
    // Its own slug is not "taken" by itself; another's is.
    expect((await admin.post(`/admin/departments/${row!.id}/edit`, { name: 'x', kind: 'office', slug: 'eb-kita' })).statusCode).toBe(422);
    expect((await admin.get('/admin/departments/999999/edit')).statusCode).toBe(404);
  });

  it('manages committees the same way', async () => {
    const res = await admin.post('/admin/committees/new', { name: 'Jugendhilfeausschuss', shortName: 'JHA', kind: 'committee', slug: '' });
    expect(res.statusCode).toBe(303);
    const [row] = await t.db.select().from(committees);
    expect(row).toMatchObject({ slug: 'jugendhilfeausschuss', shortName: 'JHA', kind: 'committee' });
    const bad = await admin.post('/admin/committees/new', { name: 'Stadtrat', kind: 'department', slug: '' });
    expect(bad.statusCode).toBe(422);
    expect(said(bad.body, de('editor.errors.choose'))).toBe(true);
    expect((await admin.post(`/admin/committees/${row!.id}/edit`, { name: 'Jugendhilfeausschuss', shortName: 'JHA', kind: 'advisory_council', slug: 'jugendhilfeausschuss' })).statusCode).toBe(303);
    expect((await t.db.select().from(committees))[0]!.kind).toBe('advisory_council');
  });

  it('refuses to delete a department or committee a measure refers to, and says where', async () => {
    const [dept] = await t.db.select().from(departments).where(eq(departments.slug, 'amt-fuer-schulen'));
    const [committee] = await t.db.select().from(committees);
    const [c] = await t.db.insert(consultations).values({ slug: 'plan', title: 'Plan' }).returning();
    const [v] = await t.db.insert(planVersions).values({ consultationId: c!.id, label: 'Entwurf 1', position: 0, status: 'published' }).returning();
    const [m] = await t.db.insert(measures).values({ planVersionId: v!.id, key: 'm-1', code: 'D.1', text: 'Eine Maßnahme', position: 0 }).returning();
    await t.db.insert(measureDepartments).values({ measureId: m!.id, departmentId: dept!.id, role: 'lead' });
    await t.db.insert(measureCommittees).values({ measureId: m!.id, committeeId: committee!.id });

    const page = await admin.get(`/admin/departments/${dept!.id}/delete`);
    expect(page.statusCode).toBe(200);
    const message = de('departments.errors.inUse.department', { name: 'Schulverwaltungsamt', count: 1 });
    expect(said(page.body, message)).toBe(true);
    expect(said(page.body, de('departments.delete.use', { code: 'D.1', version: 'Entwurf 1', consultation: 'Plan' }))).toBe(true);
    expect(page.body).not.toContain(`action="/admin/departments/${dept!.id}/delete"`);
    const res = await admin.post(`/admin/departments/${dept!.id}/delete`);
    expect(res.statusCode).toBe(409);
    expect(said(res.body, message)).toBe(true);
    expect(await t.db.select().from(departments).where(eq(departments.id, dept!.id))).toHaveLength(1);

    const committeeRes = await admin.post(`/admin/committees/${committee!.id}/delete`);
    expect(committeeRes.statusCode).toBe(409);
    expect(said(committeeRes.body, de('departments.errors.inUse.committee', { name: 'Jugendhilfeausschuss', count: 1 }))).toBe(true);
    expect(await t.db.select().from(committees)).toHaveLength(1);
    expect(await auditOf('department', dept!.id).then((a) => a.filter((e) => e.action === 'department.deleted'))).toEqual([]);
  });

  it('deletes an unused department after a confirmation page that counts its members', async () => {
    const [dept] = await t.db.select().from(departments).where(eq(departments.slug, 'eb-kita'));
    const memberId = await createUser(t.db, 'kita@example.org', ['department_editor']);
    await t.db.insert(departmentMembers).values({ userId: memberId, departmentId: dept!.id });
    const page = await admin.get(`/admin/departments/${dept!.id}/delete`);
    expect(page.statusCode).toBe(200);
    expect(said(page.body, de('departments.delete.members', { count: 1 }))).toBe(true);
    expect(page.body).toContain(`action="/admin/departments/${dept!.id}/delete"`);
    const res = await admin.post(`/admin/departments/${dept!.id}/delete`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/departments');
    expect(await t.db.select().from(departments).where(eq(departments.id, dept!.id))).toEqual([]);
    expect(await t.db.select().from(departmentMembers).where(eq(departmentMembers.userId, memberId))).toEqual([]);
    expect((await auditOf('department', dept!.id)).at(-1)).toMatchObject({ action: 'department.deleted', before: { slug: 'eb-kita' }, after: null });
    expect((await admin.post(`/admin/departments/${dept!.id}/delete`)).statusCode).toBe(404);
  });

  it('is for admins only', async () => {
    await createUser(t.db, 'orga@example.org', ['organiser']);
    const organiser = new Client(t.app);
    await organiser.signIn('orga@example.org');
    expect((await organiser.get('/admin/departments')).statusCode).toBe(403);
    expect((await organiser.post('/admin/departments/new', { name: 'x', kind: 'department' })).statusCode).toBe(403);
    expect((await organiser.get('/organiser/consultations')).body).not.toContain('href="/admin/departments"');
    expect((await new Client(t.app).get('/admin/committees')).statusCode).toBe(303);
    expect(await t.db.select().from(departments).where(eq(departments.name, 'x'))).toEqual([]);
  });
});
