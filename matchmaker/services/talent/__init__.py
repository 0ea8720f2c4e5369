"""The talent pool (人才库): people's profiles, talent needs (岗位), contacts and placements.

* ``profiles`` — a person keeps one profile; ``cards`` is what everyone else sees of it;
* ``privacy`` — a person exports or deletes everything the platform holds about them;
* ``needs`` — organisations post talent needs;
* ``contacts`` — an organisation asks a person, about a need, to get in touch; names and
  contact details are exchanged only once the person accepts; a hire is a placement;
* ``matching`` — recommendations both ways and browsing, through the search engine
  (``search.talent``), rows from the database;
* ``records`` — rows as plain records for ``search/``.
"""
