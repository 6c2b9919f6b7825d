-- Text stored before feeds' and pages' control characters were removed at collection (monitor.charsets.printable):
-- the ones that drive a terminal (ESC, BEL, backspace, the C1 CSI and OSC, DEL) go from stored articles and from
-- alerts still to be sent, so listing old articles cannot clear the analyst's screen or hide a link.

UPDATE articles SET title = replace(replace(replace(replace(replace(replace(title, char(27), ''), char(7), ''), char(8), ''), char(155), ''), char(157), ''), char(127), '')
    WHERE title <> replace(replace(replace(replace(replace(replace(title, char(27), ''), char(7), ''), char(8), ''), char(155), ''), char(157), ''), char(127), '');
UPDATE articles SET sapo = replace(replace(replace(replace(replace(replace(sapo, char(27), ''), char(7), ''), char(8), ''), char(155), ''), char(157), ''), char(127), '')
    WHERE sapo <> replace(replace(replace(replace(replace(replace(sapo, char(27), ''), char(7), ''), char(8), ''), char(155), ''), char(157), ''), char(127), '');
UPDATE articles SET body = replace(replace(replace(replace(replace(replace(body, char(27), ''), char(7), ''), char(8), ''), char(155), ''), char(157), ''), char(127), '')
    WHERE body <> replace(replace(replace(replace(replace(replace(body, char(27), ''), char(7), ''), char(8), ''), char(155), ''), char(157), ''), char(127), '');
UPDATE articles SET author = replace(replace(replace(replace(replace(replace(author, char(27), ''), char(7), ''), char(8), ''), char(155), ''), char(157), ''), char(127), '')
    WHERE author <> replace(replace(replace(replace(replace(replace(author, char(27), ''), char(7), ''), char(8), ''), char(155), ''), char(157), ''), char(127), '');
UPDATE alerts SET subject = replace(replace(replace(replace(replace(replace(subject, char(27), ''), char(7), ''), char(8), ''), char(155), ''), char(157), ''), char(127), '')
    WHERE subject <> replace(replace(replace(replace(replace(replace(subject, char(27), ''), char(7), ''), char(8), ''), char(155), ''), char(157), ''), char(127), '');
UPDATE alerts SET body = replace(replace(replace(replace(replace(replace(body, char(27), ''), char(7), ''), char(8), ''), char(155), ''), char(157), ''), char(127), '')
    WHERE body <> replace(replace(replace(replace(replace(replace(body, char(27), ''), char(7), ''), char(8), ''), char(155), ''), char(157), ''), char(127), '');
