-- A report the SMTP relay refused for good (a 5xx reply to RCPT TO): shown as bounced with the relay's
-- reply, not retried.
ALTER TYPE "DeliveryStatus" ADD VALUE 'bounced';
