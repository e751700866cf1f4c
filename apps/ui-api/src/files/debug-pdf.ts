import PDFDocument from 'pdfkit';

export interface DebugPdfContent {
  title: string;
  userEmail: string;
  createdAt: Date;
}

/** A real one-page PDF (built-in Helvetica), to prove the store → presign → download path end to end. */
export function renderDebugPdf(content: DebugPdfContent): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: content.title, Author: 'Pulse' } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.font('Helvetica-Bold').fontSize(22).text(content.title);
  doc.moveDown();
  doc.font('Helvetica').fontSize(12);
  doc.text(`User: ${content.userEmail}`);
  doc.text(`Created: ${content.createdAt.toISOString()}`);
  doc.moveDown();
  doc.fillColor('#555').text('Stored in object storage and served through a presigned redirect.');
  doc.end();
  return done;
}
