-- A forwarded customer mail keeps what the forwarding user added: her
-- note above the forwarded block, and the date of her forward (the
-- message's date is the customer's original one).
ALTER TABLE messages ADD COLUMN forward_note text NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN forwarded_at timestamptz;
