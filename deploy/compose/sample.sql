-- The sample database the compose file backs up: a little of everything a backup must keep.
CREATE TABLE customer (id serial PRIMARY KEY, name text NOT NULL, city text);
CREATE TABLE invoice (id serial PRIMARY KEY, customer_id int REFERENCES customer (id), total numeric(10,2), issued date);
INSERT INTO customer (name, city)
  SELECT 'Customer ' || g, (ARRAY['Lisboa','São Paulo','Zürich','Málaga'])[1 + g % 4] FROM generate_series(1, 500) g;
INSERT INTO invoice (customer_id, total, issued)
  SELECT 1 + g % 500, g * 1.25, DATE '2026-01-01' + g % 300 FROM generate_series(1, 5000) g;
CREATE VIEW invoice_totals AS SELECT customer_id, sum(total) AS total FROM invoice GROUP BY customer_id;
