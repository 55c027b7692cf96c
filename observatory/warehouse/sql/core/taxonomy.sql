CREATE OR REPLACE TABLE core.taxonomy AS
SELECT dimension, code, parent, label_en, label_fr FROM ref_taxonomy ORDER BY dimension, code;

COMMENT ON TABLE core.taxonomy IS 'The canonical taxonomy: every code of every dimension with its English and French label (from the codebook).';
COMMENT ON COLUMN core.taxonomy.parent IS 'Parent code (the theme of a subtheme, the transferability group of an element), else NULL.';
