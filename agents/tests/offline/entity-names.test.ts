/** Names in any casing, spelled as the warehouse spells them. */
import { describe, expect, it } from 'vitest';
import { nameAliases, spellNames } from '../../src/offline/entity-names';

const aliases = nameAliases({
  accounts: ['IXIS', 'Acme Corp', 'TechCorp', 'Orion Software', 'Orion Foods', 'Redwood Games'],
  owners: ['Sarah Johnson', 'David Kim'],
  companies: ['DataCorp'],
});

describe('spellNames', () => {
  it('spells account and company names as the warehouse does, whatever the casing', () => {
    expect(spellNames("how's ixis looking?", aliases)).toBe("how's IXIS looking?");
    expect(spellNames('tell me about techcorp', aliases)).toBe('tell me about TechCorp');
    expect(spellNames('status of redwood games', aliases)).toBe('status of Redwood Games');
    expect(spellNames('assess john smith at datacorp', aliases)).toBe(
      'assess john smith at DataCorp',
    );
  });

  it('completes a capitalised first name only when one name starts with it', () => {
    expect(spellNames("What's Sarah working on?", aliases)).toBe(
      "What's Sarah Johnson working on?",
    );
    expect(spellNames('What did Acme say?', aliases)).toBe('What did Acme Corp say?');
    // Two accounts start with Orion: which one is meant is for the deal agent to ask.
    expect(spellNames('Is the Orion deal at risk?', aliases)).toBe('Is the Orion deal at risk?');
    // Already followed by a last name: someone else, left alone.
    expect(spellNames('Notify Sarah Lee', aliases)).toBe('Notify Sarah Lee');
  });

  it('leaves words inside other words and lower-case first names alone', () => {
    expect(spellNames('the sarah-style report on ixis2', aliases)).toBe(
      'the sarah-style report on ixis2',
    );
  });
});
