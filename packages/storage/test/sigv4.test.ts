import { describe, expect, it } from '@jest/globals';
import { presignGetSigV4 } from '../src/s3/sigv4-presign';
import { signPut } from '../src/s3/sigv4-put';

describe('presignGetSigV4', () => {
  // The worked example from AWS's "Authenticating Requests: Using Query Parameters (SigV4)" documentation.
  it('matches the AWS documentation example byte for byte', () => {
    const url = presignGetSigV4({
      endpoint: 'https://s3.amazonaws.com',
      region: 'us-east-1',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      forcePathStyle: false,
      bucket: 'examplebucket',
      key: 'test.txt',
      expiresIn: 86400,
      now: new Date('2013-05-24T00:00:00Z'),
    });
    expect(url).toBe(
      'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256' +
        '&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
        '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
        '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    );
  });

  it('signs path-style URLs with encoded keys and sorted response overrides', () => {
    const url = new URL(
      presignGetSigV4({
        endpoint: 'http://127.0.0.1:7480',
        region: 'us-east-1',
        accessKeyId: 'ak',
        secretAccessKey: 'sk',
        forcePathStyle: true,
        bucket: 'b',
        key: "dir/a b+c(1)'ü.csv",
        expiresIn: 60,
        query: { 'response-content-type': 'text/csv', 'response-content-disposition': 'attachment; filename="a.csv"' },
        now: new Date('2026-11-23T12:00:00Z'),
      }),
    );
    expect(url.host).toBe('127.0.0.1:7480');
    expect(url.pathname).toBe('/b/dir/a%20b%2Bc%281%29%27%C3%BC.csv');
    const keys = [...url.searchParams.keys()];
    expect(keys.slice(0, -1)).toEqual([...keys.slice(0, -1)].sort());
    expect(keys.at(-1)).toBe('X-Amz-Signature');
    expect(url.searchParams.get('response-content-disposition')).toBe('attachment; filename="a.csv"');
  });
});

describe('signPut', () => {
  it('matches the AWS documentation example (PUT Object, header auth) byte for byte', () => {
    const signed = signPut({
      endpoint: 'https://s3.amazonaws.com',
      forcePathStyle: false,
      bucket: 'examplebucket',
      key: 'test$file.text',
      region: 'us-east-1',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      // sha256("Welcome to Amazon S3.")
      payloadSha256: '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
      contentLength: 21,
      headers: { date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
      now: new Date('2013-05-24T00:00:00Z'),
    });
    expect(signed.url).toBe('https://examplebucket.s3.amazonaws.com/test%24file.text');
    expect(signed.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, ' +
        'Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
    );
    expect(signed.headers['content-length']).toBe('21');
  });
});
