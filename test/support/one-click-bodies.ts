/**
 * RFC 8058 one-click POST bodies in the shapes mail receivers send. Gmail's is the urlencoded body Google documents
 * for its unsubscribe button. We hold no captured multipart requests from Yahoo or Apple Mail, so the multipart
 * shapes are modelled on the generators behind them and on the RFC itself: WebKit's form encoder (Apple Mail's
 * engine, `----WebKitFormBoundary…`), a JavaMail-style part with its own content type, transfer encoding and a
 * quoted boundary with `=` in it, and RFC 8058 section 8.3's example both as printed (its delimiters are the bare
 * boundary, errata 5117/8927) and as corrected. Node's own FormData (undici) is used in the end-to-end tests.
 */
export interface OneClickBody {
  readonly name: string;
  readonly contentType: string;
  readonly body: string;
}

const crlf = (...lines: string[]) => lines.join('\r\n');

export const ONE_CLICK_BODIES: readonly OneClickBody[] = [
  {
    name: 'Gmail (urlencoded, as Google documents it)',
    contentType: 'application/x-www-form-urlencoded',
    body: 'List-Unsubscribe=One-Click',
  },
  {
    name: 'WebKit multipart (Apple Mail)',
    contentType: 'multipart/form-data; boundary=----WebKitFormBoundaryq3Dy8EGsKd1mTpLa',
    body: crlf(
      '------WebKitFormBoundaryq3Dy8EGsKd1mTpLa',
      'Content-Disposition: form-data; name="List-Unsubscribe"',
      '',
      'One-Click',
      '------WebKitFormBoundaryq3Dy8EGsKd1mTpLa--',
      '',
    ),
  },
  {
    name: 'JavaMail-style multipart, quoted boundary, part headers (Yahoo-like server client)',
    contentType: 'multipart/form-data; charset=UTF-8; boundary="----=_Part_4471_1234567890.1762113600000"',
    body: crlf(
      '------=_Part_4471_1234567890.1762113600000',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: 8bit',
      'Content-Disposition: form-data; name="List-Unsubscribe"',
      '',
      'One-Click',
      '------=_Part_4471_1234567890.1762113600000--',
      '',
    ),
  },
  {
    name: 'RFC 8058 section 8.3 example as printed (bare-boundary delimiters)',
    contentType: 'multipart/form-data; boundary=---FormBoundaryjWmhtjORrn',
    body: crlf(
      '---FormBoundaryjWmhtjORrn',
      'Content-Disposition: form-data; name="List-Unsubscribe"',
      '',
      'One-Click',
      '---FormBoundaryjWmhtjORrn--',
    ),
  },
  {
    name: 'RFC 8058 section 8.3 example with its errata applied',
    contentType: 'multipart/form-data; boundary=-FormBoundaryjWmhtjORrn',
    body: crlf(
      '---FormBoundaryjWmhtjORrn',
      'Content-Disposition: form-data; name="List-Unsubscribe"',
      '',
      'One-Click',
      '---FormBoundaryjWmhtjORrn--',
    ),
  },
];
